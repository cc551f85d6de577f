using AlignLab.Training.Adapters;
using AlignLab.Training.Models;
using AlignLab.Training.Models.Gpt2;
using AlignLab.Training.Models.Llama;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Training.Tests;

/// <summary>Activation checkpointing changes what is kept between the passes, not what is computed: the loss, every
/// gradient and the random generator's state after the step equal those of the same step without it, with dropout on
/// (the layer's second run draws the first run's masks).</summary>
public class ActivationCheckpointingTests
{
    /// <summary>Loss and gradients of one training pass of <paramref name="model"/>, seeded, and the generator's state after.</summary>
    private static (float Loss, Dictionary<string, Tensor> Gradients, byte[] RandomAfter) Pass(CausalLM model, bool checkpointing, Tensor ids, Tensor? mask)
    {
        model.ActivationCheckpointing = checkpointing;
        model.train();
        model.zero_grad();
        random.manual_seed(11);
        using var scope = NewDisposeScope();
        var logits = model.Forward(ids, mask);
        var loss = nn.functional.cross_entropy(logits.narrow(1, 0, ids.shape[1] - 1).reshape(-1, logits.shape[^1]), ids.narrow(1, 1, ids.shape[1] - 1).reshape(-1));
        loss.backward();
        Assert.Null(model.TakeCheckpointError());
        var gradients = model.named_parameters().Where(p => p.parameter.requires_grad)
            .ToDictionary(p => p.name, p => p.parameter.grad!.clone().DetachFromDisposeScope());
        using var state = random.get_rng_state();
        return (loss.item<float>(), gradients, state.bytes.ToArray());
    }

    private static void AssertSamePass(CausalLM model, Tensor ids, Tensor? mask = null)
    {
        var plain = Pass(model, false, ids, mask);
        var checkpointed = Pass(model, true, ids, mask);
        Assert.Equal(plain.Loss, checkpointed.Loss);
        Assert.Equal(plain.Gradients.Keys, checkpointed.Gradients.Keys);
        Assert.NotEmpty(plain.Gradients);
        foreach (var (name, gradient) in plain.Gradients)
        {
            Assert.True(gradient.abs().sum().item<float>() > 0, $"{name} has a gradient");
            Assert.True(gradient.allclose(checkpointed.Gradients[name], rtol: 1e-5, atol: 1e-7), name);
        }
        Assert.Equal(plain.RandomAfter, checkpointed.RandomAfter);
    }

    [Fact]
    public void Gpt2WithDropoutGivesTheSameLossAndGradients()
    {
        random.manual_seed(3);
        using var model = new Gpt2LMHeadModel(TinyModels.Gpt2Config(layers: 3) with { resid_pdrop = 0.1, embd_pdrop = 0.1, attn_pdrop = 0.1 });
        var ids = randint(0, 61, [3, 12]);
        var mask = ones(3, 12, dtype: ScalarType.Int64);
        mask[2, TensorIndex.Slice(8)] = zeros(4, dtype: ScalarType.Int64);      // right padding: the explicit-bias path
        AssertSamePass(model, ids);
        AssertSamePass(model, ids, mask);
    }

    [Fact]
    public void LlamaWithLoraOverAFrozenBaseTrainsTheSameAdapters()
    {
        random.manual_seed(4);
        using var model = new LlamaForCausalLM(new LlamaConfig
        {
            vocab_size = 61, hidden_size = 32, intermediate_size = 64, num_hidden_layers = 2, num_attention_heads = 4, num_key_value_heads = 2,
            max_position_embeddings = 64, bos_token_id = 0, eos_token_id = 0,
        });
        foreach (var parameter in model.parameters()) parameter.requires_grad = false;
        Lora.Attach(model, Lora.DefaultTargets("llama"), rank: 4, alpha: 8, dropout: 0.1);
        // LoRA's B starts at zero; move it so that both factors get gradients.
        using (no_grad())
            foreach (var (name, parameter) in model.named_parameters().Where(p => p.name.EndsWith("lora_B", StringComparison.Ordinal)))
                parameter.normal_(0, 0.02);
        // Nothing below the first layer trains: the checkpoint must still reach the adapters.
        Assert.All(model.named_parameters().Where(p => p.parameter.requires_grad), p => Assert.Contains("lora", p.name));
        AssertSamePass(model, randint(0, 61, [2, 10]));
    }

    [Fact]
    public void AnErrorOfTheSecondRunComesBackToTheCallerInsteadOfEndingTheProcess()
    {
        random.manual_seed(5);
        using var model = new Gpt2LMHeadModel(TinyModels.Gpt2Config());
        model.ActivationCheckpointing = true;
        model.train();
        using var scope = NewDisposeScope();
        var loss = model.Forward(randint(0, 61, [2, 8])).mean();
        // Between the passes, the first layer's weight no longer fits: only a second run of the layer meets that.
        var weight = model.named_parameters().Single(p => p.name == "transformer.h.0.attn.c_attn.weight").parameter;
        using (no_grad()) weight.set_(zeros(5, 5));
        loss.backward();
        var error = model.TakeCheckpointError();
        Assert.NotNull(error);
        Assert.Null(model.TakeCheckpointError());                   // taken once
    }
}
