using AlignLab.Testing;
using AlignLab.Training.Demo;
using AlignLab.Training.Methods.Common;
using AlignLab.Training.Methods.Ppo;
using AlignLab.Training.Models;
using AlignLab.Training.Optimization;
using AlignLab.Training.Registry;
using static TorchSharp.torch;

namespace AlignLab.Training.Tests;

/// <summary>AlpacaFarm's critic (init_value_with_reward), the ppo paper preset's: a model of its own that starts as the reward
/// model's backbone with a zero value head, and trains beside the policy.</summary>
public sealed class PpoCriticTests : IClassFixture<PpoCriticTests.DemoWithRewardModel>
{
    public sealed class DemoWithRewardModel
    {
        public ModelRegistry Registry { get; }
        public string Policy { get; }
        public string RewardModel { get; }

        public DemoWithRewardModel()
        {
            var root = TinyModels.TempFolder();
            Policy = Path.Combine(root, DemoModel.Name);
            DemoModel.Ensure(Policy);
            RewardModel = TestRewardModels.CreateRandom(Policy, Path.Combine(root, "critic-rm"));
            Registry = new ModelRegistry([root]);
        }
    }

    private readonly DemoWithRewardModel _fixture;

    public PpoCriticTests(DemoWithRewardModel fixture) => _fixture = fixture;

    private const string CriticParameter = "critic.transformer.h.0.attn.c_attn.weight";

    [Fact]
    public void TheCriticStartsAsTheRewardModelsBackboneWithZeroValuesAndLeavesThePolicyAlone()
    {
        using var scope = NewDisposeScope();
        using var policy = ModelFolder.Load(_fixture.Policy);
        using var agent = new PolicyWithValueHead(policy, PolicyWithValueHead.CriticFrom(_fixture.RewardModel, policy, new RuntimeOptions()));
        using var rewardModel = SequenceClassifier.Load(_fixture.RewardModel);
        var parameters = agent.named_parameters().ToDictionary(p => p.name, p => p.parameter);

        // Its weights are the reward model's (which differ from the policy's), its own tensors; it has no LM head.
        var fromRewardModel = rewardModel.state_dict()["transformer.h.0.attn.c_attn.weight"];
        Assert.True(parameters[CriticParameter].equal(fromRewardModel).all().item<bool>());
        Assert.False(parameters["transformer.h.0.attn.c_attn.weight"].equal(fromRewardModel).all().item<bool>());
        Assert.DoesNotContain(parameters.Keys, name => name.StartsWith("critic.lm_head", StringComparison.Ordinal));
        Assert.DoesNotContain(parameters.Keys, name => name.StartsWith("critic.score", StringComparison.Ordinal));

        // Values start at 0 (zero head); the logits are the policy's own.
        var ids = tensor(new long[] { 5, 17, 42, 8, 99, 3 }, [1, 6]);
        var mask = ones(1, 6, ScalarType.Int64);
        var (logits, values) = agent.Forward(ids, mask);
        Assert.Equal(0, values.abs().max().item<float>());
        Assert.True(logits.allclose(policy.Forward(ids, mask), rtol: 0, atol: 1e-6));
    }

    [Fact]
    public async Task APpoRunTrainsTheCriticBesideThePolicy()
    {
        var method = new PpoMethod(_fixture.Registry);
        var context = new MethodContext(method,
            $$"""{"preset":"demo","model":"{{DemoModel.Name}}","reward_model":"critic-rm","critic":"reward_model","max_steps":2,"checkpoint_every":1,"batch_size":4,"mini_batch_size":2,"ppo_epochs":1,"max_new_tokens":6}""");
        await method.RunAsync(context);
        Assert.Equal(2, context.Series("value_loss").Count());

        // The checkpoint after step 1 holds the critic's weights, moved away from the reward model's by the value loss.
        using var policy = ModelFolder.Load(_fixture.Policy);
        using var agent = new PolicyWithValueHead(policy, PolicyWithValueHead.CriticFrom(_fixture.RewardModel, policy, new RuntimeOptions()));
        using var optimizer = AdamWFactory.Create(agent, 1e-5, 0);
        Assert.Equal(1, TrainingCheckpoint.Restore(context.Checkpoints.Latest()!, agent, optimizer));
        using var rewardModel = SequenceClassifier.Load(_fixture.RewardModel);
        var critic = agent.named_parameters().Single(p => p.name == CriticParameter).parameter;
        Assert.False(critic.allclose(rewardModel.state_dict()["transformer.h.0.attn.c_attn.weight"], rtol: 0, atol: 1e-9));
        Assert.NotEqual(0, agent.named_parameters().Single(p => p.name == "v_head.weight").parameter.abs().max().item<float>());
    }

    [Fact]
    public void ARewardModelOfAnotherVocabularyCannotStartTheCritic()
    {
        var other = RealModels.Create("gpt2", Path.Combine(TinyModels.TempFolder(), "gpt2"));
        using var policy = ModelFolder.Load(_fixture.Policy);
        var failure = Assert.Throws<ArgumentException>(() => PolicyWithValueHead.CriticFrom(other, policy, new RuntimeOptions()));
        Assert.StartsWith("critic: the reward model's vocabulary (50257 tokens) is not the policy's", failure.Message);
    }

    [Fact]
    public void TheKeywordRewardTakesTheCriticOnThePolicyAndRefusesOneFromARewardModel()
    {
        var method = new PpoMethod(_fixture.Registry);
        Assert.Equal("policy", new MethodContext(method, """{"reward":"keyword","keyword":"Tokyo"}""").Spec.Parameters["critic"]!.GetValue<string>());
        Assert.Equal("reward_model", new MethodContext(method, """{"reward_model":"critic-rm"}""").Spec.Parameters["critic"]!.GetValue<string>());
        var refused = Assert.Throws<ArgumentException>(() => new MethodContext(method, """{"reward":"keyword","keyword":"Tokyo","critic":"reward_model"}"""));
        Assert.Contains("critic: reward_model initialises the critic from the reward model", refused.Message);
    }
}
