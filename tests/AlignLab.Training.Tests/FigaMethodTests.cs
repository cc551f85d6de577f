using System.Text.Json;
using AlignLab.Core.Figa;
using AlignLab.Core.Tokenization;
using AlignLab.Testing;
using AlignLab.Training.Demo;
using AlignLab.Training.Inference;
using AlignLab.Training.Methods.Figa;
using AlignLab.Training.Methods.Sft;
using AlignLab.Training.Models;
using AlignLab.Training.Registry;
using AlignLab.Training.Rewards;
using static TorchSharp.torch;

namespace AlignLab.Training.Tests;

public sealed class FigaMethodTests : IClassFixture<FigaMethodTests.InitialPolicyFixture>
{
    /// <summary>The demo model fine-tuned on the demo SPA pairs' wrong answers: a policy confident in the mistakes
    /// that FIGA's revisions correct (as a real rollout policy is in its own responses).</summary>
    public sealed class InitialPolicyFixture
    {
        public ModelRegistry Registry { get; }

        public InitialPolicyFixture()
        {
            var root = TinyModels.TempFolder();
            DemoModel.Ensure(Path.Combine(root, DemoModel.Name));
            Registry = new ModelRegistry([root]);
            var sft = new MethodContext(new SftMethod(Registry), """{"dataset":"demo-spa-initial","max_steps":400,"eval_every":0,"checkpoint_every":0}""");
            new SftMethod(Registry).RunAsync(sft).GetAwaiter().GetResult();
            Directory.Move(Path.Combine(sft.ArtifactDirectory, "export"), Path.Combine(root, "demo-initial"));
        }
    }

    private readonly ModelRegistry _registry;

    public FigaMethodTests(InitialPolicyFixture fixture) => _registry = fixture.Registry;

    [Fact]
    public async Task WithARewardModelEvaluationReportsTheMeanRewardOfGreedyAnswersToHeldOutPrompts()
    {
        var rewardFolder = Path.Combine(_registry.DefaultRoot, "figa-eval-rm");
        if (!Directory.Exists(rewardFolder)) TestRewardModels.CreateRandom(_registry.Resolve("demo-initial"), rewardFolder);
        var context = new MethodContext(new FigaMethod(_registry),
            """{"model":"demo-initial","max_steps":2,"batch_size":4,"grad_accum":1,"eval_every":0,"eval_fraction":0.02,"reward_model":"figa-eval-rm","eval_generations":5,"eval_max_new_tokens":8,"checkpoint_every":0}""");
        await new FigaMethod(_registry).RunAsync(context);
        var rewards = context.Points.Where(p => p.Name == "eval_reward").ToList();
        Assert.Equal([0L, 2L], rewards.Select(r => r.Step));

        // The same measure taken independently: the first five held-out prompts, answered greedily by the model
        // before and after training, scored by the reward model.
        var tokenizer = TextTokenizer.Load(_registry.Resolve("demo-initial"));
        var records = await FigaData.RecordsAsync(FigaData.Demo, null, CancellationToken.None);
        var (_, eval) = FigaData.Load(records, tokenizer, PromptTemplate.Alpaca, new FigaOptions(), 128, 0.02, 1234);
        using var rewardModel = RewardModel.Load(rewardFolder, CPU);
        double Expected(string folder)
        {
            using var model = ModelFolder.Load(folder);
            var prompts = eval.Take(5).ToList();
            var answers = TextGenerator.Generate(model, [.. prompts.Select(e => e.Prompt)],
                new GenerationOptions { MaxNewTokens = 8, Temperature = 0, EosTokenId = tokenizer.EosTokenId, PadTokenId = tokenizer.PadTokenId });
            return rewardModel.Score([.. prompts.Select((e, i) => (e.Instruction, e.Input, tokenizer.Decode(answers[i].Tokens)))], PromptTemplate.Alpaca).Average();
        }
        Assert.Equal(Expected(_registry.Resolve("demo-initial")), rewards[0].Value, 4);
        Assert.Equal(Expected(Path.Combine(context.ArtifactDirectory, "export")), rewards[1].Value, 4);
    }

    [Fact]
    public async Task AMissingRewardModelFailsBeforeTraining()
    {
        var context = new MethodContext(new FigaMethod(_registry), """{"model":"demo-initial","max_steps":2,"reward_model":"no-such-rm"}""");
        var error = await Assert.ThrowsAnyAsync<Exception>(() => new FigaMethod(_registry).RunAsync(context));
        Assert.Contains("no-such-rm", error.Message);
        Assert.Empty(context.Points);
    }

    [Fact]
    public void TheTensorLossEqualsTheReferenceImplementation()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(5);
        var ce = rand(4, 7) * 1.2;                                             // NLLs around the 0.6 threshold
        var weights = tensor(new float[]
        {
            0, 1, 0, 1, 1, 0, 0,
            0, 0, 1, 1, 0, 0, 0,
            0, -0.5f, -0.5f, 0, -0.5f, 0, 0,
            0, 0, 0, -0.5f, -0.5f, -0.5f, 0,
        }, [4, 7]);
        foreach (var selection in Enum.GetValues<BadTokenSelection>())
        {
            var options = new FigaOptions { Selection = selection };
            var actual = FigaLoss.Compute(ce, weights, weights.gt(0), options);        // α = 1, γ = 0: the weight-1 tokens are the rewarded ones
            var c = ce.data<float>().Select(v => (double)v).ToArray();
            var w = weights.data<float>().Select(v => (double)v).ToArray();
            double[] Row(double[] a, int r) => a.Skip(r * 7).Take(7).ToArray();
            bool[] Rewarded(int r) => [.. Row(w, r).Select(x => x > 0)];
            var reference = FigaLossReference.Compute(
                [(Row(c, 0), Row(w, 0), Rewarded(0), Row(c, 2), Row(w, 2)), (Row(c, 1), Row(w, 1), Rewarded(1), Row(c, 3), Row(w, 3))], options);
            Assert.Equal(reference.Loss, actual.Loss.item<float>(), 5);
            Assert.Equal(reference.GoodLoss, actual.GoodLoss, 5);
            Assert.Equal(reference.BadLoss, actual.BadLoss, 5);
            Assert.Equal((reference.GoodTokens, reference.BadKept, reference.BadDropped), ((int)actual.GoodTokens, (int)actual.BadKept, (int)actual.BadDropped));
        }
    }

    [Fact]
    public async Task FigaRaisesRevisedTokensAndLowersPenalisedTokensOnHeldOutPairs()
    {
        var context = new MethodContext(new FigaMethod(_registry),
            """{"model":"demo-initial","learning_rate":0.0005,"batch_size":8,"grad_accum":1,"max_steps":80,"eval_every":0,"eval_fraction":0.1,"checkpoint_every":0}""");
        await new FigaMethod(_registry).RunAsync(context);

        double First(string name) => context.Series(name).First();
        double Last(string name) => context.Series(name).Last();
        Console.WriteLine(string.Join(", ", new[] { "eval_rewarded_token_logp", "eval_penalised_token_logp", "eval_revised_logp", "eval_original_logp" }.Select(n => $"{n} {First(n):0.00} → {Last(n):0.00}")));
        Assert.True(Last("eval_rewarded_token_logp") > First("eval_rewarded_token_logp") + 1,
            $"rewarded tokens: {First("eval_rewarded_token_logp"):0.00} → {Last("eval_rewarded_token_logp"):0.00}");
        Assert.True(Last("eval_penalised_token_logp") < First("eval_penalised_token_logp") - 1,
            $"penalised tokens: {First("eval_penalised_token_logp"):0.00} → {Last("eval_penalised_token_logp"):0.00}");
        // (Whole-response log-probs also move: with γ = 0 the unchanged tokens are not trained, so they drift.)
        Assert.True(context.Series("bad_tokens_kept").First() > 0, "the initial policy is confident in its mistakes: penalties apply");

        // The reviewers' artifact: one line per held-out pair, tokens with labels and weights.
        var lines = File.ReadAllLines(Path.Combine(context.ArtifactDirectory, FigaTokenWeights.FileName));
        Assert.Equal(100, lines.Length);
        var pair = JsonDocument.Parse(lines[0]).RootElement;
        var revised = pair.GetProperty("revised").EnumerateArray().ToList();
        Assert.Equal("<eos>", revised[^1].GetProperty("token").GetString());
        Assert.Equal(1.0, revised[^1].GetProperty("weight").GetDouble());
        Assert.Contains(pair.GetProperty("original").EnumerateArray(), t => t.GetProperty("label").GetString() == "deleted_or_substituted" && t.GetProperty("weight").GetDouble() == -0.5);
    }
}
