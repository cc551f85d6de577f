using System.Text.Json;
using AlignLab.Core.Figa;
using AlignLab.Training.Demo;
using AlignLab.Training.Methods.Figa;
using AlignLab.Training.Methods.Sft;
using AlignLab.Training.Registry;
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
            var actual = FigaLoss.Compute(ce, weights, options);
            var c = ce.data<float>().Select(v => (double)v).ToArray();
            var w = weights.data<float>().Select(v => (double)v).ToArray();
            double[] Row(double[] a, int r) => a.Skip(r * 7).Take(7).ToArray();
            var reference = FigaLossReference.Compute(
                [(Row(c, 0), Row(w, 0), Row(c, 2), Row(w, 2)), (Row(c, 1), Row(w, 1), Row(c, 3), Row(w, 3))], options);
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
