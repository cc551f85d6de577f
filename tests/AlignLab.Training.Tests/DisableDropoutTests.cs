using System.Text.Json.Nodes;
using AlignLab.Testing;
using AlignLab.Training.Adapters;
using AlignLab.Training.Demo;
using AlignLab.Training.Methods.Common;
using AlignLab.Training.Methods.Ppo;
using AlignLab.Training.Models;
using AlignLab.Training.Registry;
using static TorchSharp.torch;

namespace AlignLab.Training.Tests;

/// <summary>disable_dropout: the model's own dropout (config.json's, 0.1 as GPT-2 checkpoints ship it) stops in training
/// passes, LoRA's stays, and a run applies it to every model it trains, the PPO critic included.</summary>
public sealed class DisableDropoutTests
{
    private static readonly Lazy<(string Root, string Policy, string RewardModel)> Folders = new(() =>
    {
        var root = TinyModels.TempFolder();
        var policy = DemoModel.Ensure(Path.Combine(root, "gpt2-dropout"));
        var configFile = Path.Combine(policy, ModelFolder.ConfigFile);
        var config = JsonNode.Parse(File.ReadAllText(configFile))!.AsObject();
        foreach (var field in new[] { "resid_pdrop", "embd_pdrop", "attn_pdrop" }) config[field] = 0.1;
        File.WriteAllText(configFile, config.ToJsonString());
        return (root, policy, TestRewardModels.CreateRandom(policy, Path.Combine(root, "rm-dropout")));
    });

    private static readonly long[] Ids = [5, 17, 42, 8, 99, 3, 61, 7];

    /// <summary>Logits of one training-mode pass under a seed.</summary>
    private static Tensor TrainingPass(nn.Module model, Func<Tensor, Tensor> forward, int seed)
    {
        model.train();
        random.manual_seed(seed);
        using var ids = tensor(Ids, [1, Ids.Length]);
        return forward(ids).detach();
    }

    private static bool Same(Tensor a, Tensor b) => a.equal(b).all().item<bool>();

    [Fact]
    public void TrainingPassesBecomeThoseOfEvaluationAndLorasDropoutStays()
    {
        using var scope = NewDisposeScope();
        using var model = ModelFolder.Load(Folders.Value.Policy);
        Tensor Pass(int seed) => TrainingPass(model, ids => model.Forward(ids), seed);

        Assert.False(Same(Pass(1), Pass(2)), "dropout 0.1 makes two seeds' training passes differ");
        model.DisableDropout();
        var training = Pass(1);
        Assert.True(Same(training, Pass(2)));
        model.eval();
        using (no_grad()) Assert.True(Same(training, model.Forward(tensor(Ids, [1, Ids.Length]))), "a training pass is the evaluation pass");

        Lora.Attach(model, Lora.DefaultTargets("gpt2"), rank: 4, alpha: 8, dropout: 0.5);
        using (no_grad())
            foreach (var (_, parameter) in model.named_parameters().Where(p => p.name.EndsWith("lora_B", StringComparison.Ordinal)))
                parameter.normal_(0, 0.5);
        Assert.False(Same(Pass(1), Pass(2)), "lora_dropout still applies");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ARunTrainsThePolicyAndTheCriticAsDisableDropoutSays(bool disable)
    {
        using var scope = NewDisposeScope();
        var (root, _, rewardModel) = Folders.Value;
        var registry = new ModelRegistry([root]);
        var options = PpoRunOptions.Paper with
        {
            Model = new() { Model = "gpt2-dropout" },
            Runtime = PpoRunOptions.Paper.Runtime with { Precision = "fp32", DisableDropout = disable },
        };
        var context = new MethodContext(new PpoMethod(registry), """{"reward":"keyword","keyword":"a"}""");
        using var session = TrainingSession.Open(context, registry, options,
            model => new PolicyWithValueHead(model, PolicyWithValueHead.CriticFrom(rewardModel, model, options.Runtime)));
        var agent = session.Module;
        // The value head starts at zero: move it so that the critic's hidden states reach the values.
        using (no_grad()) agent.named_parameters().Single(p => p.name == "v_head.weight").parameter.normal_(0, 1);
        Tensor Logits(int seed) => TrainingPass(agent, ids => agent.Forward(ids, ones_like(ids)).Logits, seed);
        Tensor Values(int seed) => TrainingPass(agent, ids => agent.Forward(ids, ones_like(ids)).Values, seed);

        Assert.Equal(disable, Same(Logits(1), Logits(2)));
        Assert.Equal(disable, Same(Values(1), Values(2)));
    }
}
