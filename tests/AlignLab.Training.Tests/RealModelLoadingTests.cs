using System.Text.Json.Nodes;
using AlignLab.Testing;
using AlignLab.Training.Inference;
using AlignLab.Training.Models;
using AlignLab.Training.Models.Llama;
using AlignLab.Training.Registry;
using static TorchSharp.torch;

namespace AlignLab.Training.Tests;

/// <summary>Model folders as publishers ship them: Llama 3.1 (rope_scaling llama3, three EOS ids), Qwen3 (q/k norms,
/// its own head_dim), Qwen2.5 and Mistral load, write their config back unchanged, stop generating at any EOS, and
/// refuse what they cannot compute, naming the field.</summary>
public sealed class RealModelLoadingTests
{
    [Theory]
    [InlineData("llama3")]
    [InlineData("qwen3")]
    [InlineData("qwen2.5")]
    [InlineData("mistral")]
    [InlineData("llama2")]
    [InlineData("gpt2")]
    public void AFamilysFolderLoadsAndExportWritesItsConfigBackUnchanged(string family)
    {
        var folder = RealModels.Create(family, TinyModels.TempFolder());
        var original = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "config.json")))!.AsObject();
        using var model = ModelFolder.Load(folder);
        var export = TinyModels.TempFolder();
        ModelFolder.Save(model, export);
        var written = JsonNode.Parse(File.ReadAllText(Path.Combine(export, "config.json")))!.AsObject();
        original["torch_dtype"] = "float32";
        Assert.True(JsonNode.DeepEquals(original, written), $"{family}: {written.ToJsonString()}");
        Assert.Null(ModelInspection.Inspect(folder).Problem);
    }

    [Fact]
    public void QwenThreeNormalisesEachHeadOfQueriesAndKeysAndHasItsOwnHeadDim()
    {
        var config = LlamaConfig.FromJson(RealModels.Config("qwen3"));
        using var model = new LlamaForCausalLM(config);
        var state = model.state_dict();
        Assert.Equal([16L], state["model.layers.0.self_attn.q_norm.weight"].shape);
        Assert.Equal([16L], state["model.layers.1.self_attn.k_norm.weight"].shape);
        Assert.Equal([64L, 32L], state["model.layers.0.self_attn.q_proj.weight"].shape);      // 4 heads × head_dim 16 from hidden 32
        Assert.Equal([32L, 64L], state["model.layers.0.self_attn.o_proj.weight"].shape);
        Assert.DoesNotContain("model.layers.0.self_attn.q_proj.bias", state.Keys);

        // The norms act: scaling q_norm's weight changes the logits (a model without them would not notice).
        using var ids = tensor(new long[] { 5, 9, 17, 3 }, [1, 4]);
        model.eval();
        using var before = model.Forward(ids);
        using (no_grad()) state["model.layers.0.self_attn.q_norm.weight"].mul_(3);
        using var after = model.Forward(ids);
        Assert.False(before.allclose(after, rtol: 1e-3, atol: 1e-4));
    }

    [Fact]
    public void LlamaThreeRopeScalingFollowsTheWavelengthBands()
    {
        // Hand-computed from transformers' _compute_llama3_parameters with head_dim 8, θ 10000, factor 8, low 1, high 4,
        // original 64: wavelengths 2π·θ^(2i/8) = 6.28, 62.8, 628, 6283. High band (< 16): kept. Low band (> 64): / 8.
        // Medium (16 … 64): 62.8 → smooth = (64/62.83 − 1)/(4 − 1) = 0.006218; f = (1 − s)·f/8 + s·f with f = 0.1.
        var scaling = new RopeScaling("llama3", 8, 1, 4, 64);
        var f = RopeScaling.InverseFrequencies(8, 10000, scaling);
        Assert.Equal(1.0, f[0], 12);
        var smooth = (64 / (2 * Math.PI / 0.1) - 1) / 3;
        Assert.Equal((1 - smooth) * 0.1 / 8 + smooth * 0.1, f[1], 12);
        Assert.Equal(0.01 / 8, f[2], 12);
        Assert.Equal(0.001 / 8, f[3], 12);
        Assert.Equal([0.5, 0.05, 0.005, 0.0005], RopeScaling.InverseFrequencies(8, 10000, new RopeScaling("linear", 2)).Select(x => Math.Round(x, 12)));
    }

    [Theory]
    [InlineData("rope_scaling.rope_type", """{"rope_type": "yarn", "factor": 4.0}""")]
    [InlineData("rope_scaling.rope_type", """{"type": "dynamic", "factor": 2.0}""")]
    [InlineData("attn_logit_softcapping", "50.0")]
    [InlineData("quantization_config", """{"quant_method": "gptq"}""")]
    [InlineData("use_sliding_window", "true")]
    [InlineData("model_type", "\"gemma2\"")]
    [InlineData("hidden_act", "\"gelu\"")]
    public void AFieldThatWouldChangeTheComputationIsRefusedWithItsName(string field, string value)
    {
        var config = RealModels.Config("qwen2.5");
        var key = field.Split('.')[0];
        config[key] = JsonNode.Parse(value);
        if (key == "use_sliding_window") config["sliding_window"] = 4096;
        var folder = TinyModels.TempFolder();
        File.WriteAllText(Path.Combine(folder, "config.json"), config.ToJsonString());
        var error = Assert.ThrowsAny<NotSupportedException>(() => ModelFolder.ReadConfig(folder));
        Assert.Equal(field, Assert.IsType<UnsupportedConfigException>(error).Field);
        Assert.Contains(key, error.Message);
    }

    [Fact]
    public void MistralsSlidingWindowHidesKeysFurtherBackThanTheWindow()
    {
        var config = RealModels.Config("mistral");
        using var full = new LlamaForCausalLM(LlamaConfig.FromJson(config));
        config["sliding_window"] = 3;
        using var windowed = new LlamaForCausalLM(LlamaConfig.FromJson(config));
        windowed.load_state_dict(full.state_dict());
        full.eval();
        windowed.eval();
        using var ids = tensor(new long[] { 5, 9, 17, 3, 44, 12 }, [1, 6]);
        using var a = full.Forward(ids);
        using var b = windowed.Forward(ids);
        Assert.True(a.narrow(1, 0, 3).allclose(b.narrow(1, 0, 3), rtol: 1e-5, atol: 1e-6));   // within the window: identical
        Assert.False(a.narrow(1, 3, 3).allclose(b.narrow(1, 3, 3), rtol: 1e-3, atol: 1e-4));  // beyond it: position 0 is hidden
    }

    [Fact]
    public void GenerationStopsAtAnyOfTheModelsEosIds()
    {
        // Each of the three stop ids in turn is made the model's greedy choice through the LM head's weights.
        var folder = RealModels.Create("llama3", TinyModels.TempFolder());
        var tokenizer = AlignLab.Core.Tokenization.TextTokenizer.Load(folder);
        Assert.Equal(3, tokenizer.EosTokenIds.Count);
        foreach (var stop in tokenizer.EosTokenIds)
        {
            using var model = ModelFolder.Load(folder);
            using (no_grad())
            {
                var head = model.state_dict()["lm_head.weight"];
                head.zero_();
                head[stop].fill_(1);                                        // logit of `stop` = sum(hidden) > others at 0 …
                model.state_dict()["model.norm.weight"].fill_(1);
            }
            // … when the summed final hidden state is positive; keep prompts for which it is, so greedy picks `stop` at once.
            var options = new GenerationOptions { MaxNewTokens = 5, Temperature = 0, StopTokenIds = tokenizer.EosTokenIds, PadTokenId = tokenizer.PadTokenId };
            var prompt = Enumerable.Range(1, 200).Select(i => new[] { 1000 + i }).First(p =>
            {
                using var logits = model.Forward(tensor(p.Select(x => (long)x).ToArray(), [1, 1]));
                return logits[0, -1].argmax().item<long>() == stop;
            });
            var generated = TextGenerator.Generate(model, [prompt], options)[0];
            Assert.True(generated.EndedWithEos);
            Assert.Empty(generated.Tokens);
            Assert.Equal(stop, generated.EndToken);
        }
    }
}
