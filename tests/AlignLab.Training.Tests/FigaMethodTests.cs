using System.Text.Json;
using AlignLab.Core.Datasets;
using AlignLab.Core.Figa;
using AlignLab.Core.Tokenization;
using AlignLab.Testing;
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
            var root = TinyModels.DemoRoot();
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
        var (_, eval, _) = FigaData.Load(records, tokenizer, PromptTemplate.Alpaca, new FigaOptions(), 128, OverlongPairs.Truncate, 0.02, 1234,
            PromptJoining.Authors);
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

    private sealed class OneDataset(StoredDataset dataset) : IDatasetStore
    {
        public Task<StoredDataset> LoadAsync(Guid id, CancellationToken cancellationToken = default) =>
            id == dataset.Id ? Task.FromResult(dataset) : throw new KeyNotFoundException($"no dataset {id}");

        public Task<Guid> SaveFromRunAsync(Guid runId, string name, string kind, IReadOnlyList<SpaRecord> records, object stats,
            CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }

    /// <summary>Twelve of sixteen demo pairs with both responses repeated thirty times: far past 128 tokens.</summary>
    [Fact]
    public async Task EachEvaluationStepLeavesAHeatmapSnapshotWhoseNllsFollowTheModel()
    {
        var context = new MethodContext(new FigaMethod(_registry),
            """{"model":"demo-initial","max_steps":3,"batch_size":4,"grad_accum":1,"eval_every":3,"eval_fraction":0.1,"learning_rate":0.001,"checkpoint_every":0}""");
        await new FigaMethod(_registry).RunAsync(context);
        var folder = Path.Combine(context.ArtifactDirectory, FigaArtifacts.TokenWeightsStepsFolder);
        Assert.Equal([0L, 3L], AlignLab.Core.Runs.StepSnapshots.Steps(folder));
        var json = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        List<FigaArtifacts.PairRow> Read(long step) => [.. File.ReadAllLines(Path.Combine(folder, AlignLab.Core.Runs.StepSnapshots.FileName(step)))
            .Select(l => JsonSerializer.Deserialize<FigaArtifacts.PairRow>(l, json)!)];
        var (before, after) = (Read(0), Read(3));
        Assert.InRange(before.Count, 1, AlignLab.Core.Runs.StepSnapshots.MaxPairs);
        // The same pairs, tokens and weights (Eq. 1 does not change); the NLLs are the model's at each step, and training moved them.
        Assert.Equal(before.Select(p => p.Instruction), after.Select(p => p.Instruction));
        Assert.Equal(before.SelectMany(p => p.Original.Concat(p.Revised)).Select(t => (t.Token, t.Weight)), after.SelectMany(p => p.Original.Concat(p.Revised)).Select(t => (t.Token, t.Weight)));
        var moved = before.SelectMany(p => p.Original.Concat(p.Revised)).Zip(after.SelectMany(p => p.Original.Concat(p.Revised)), (b, a) => Math.Abs(a.Nll - b.Nll));
        Assert.True(moved.Max() > 1e-3, "three steps at lr 1e-3 move some token's NLL");
        // The file of the run's end is the one at its last step, for every held-out pair.
        var final = File.ReadAllLines(Path.Combine(context.ArtifactDirectory, FigaArtifacts.TokenWeightsFile)).Select(l => JsonSerializer.Deserialize<FigaArtifacts.PairRow>(l, json)!).ToList();
        Assert.Equal(after.SelectMany(p => p.Revised).Select(t => t.Nll), final.Take(after.Count).SelectMany(p => p.Revised).Select(t => t.Nll));
    }

    private static IReadOnlyList<SpaRecord> LongPairs() =>
        [.. AlignLab.Core.Demo.DemoData.GeneratePairs(16, seed: 3).Select((p, i) => i < 12
            ? new SpaRecord(p.Example.Instruction, p.Example.Input, p.Example.Response,
                string.Join(" ", Enumerable.Repeat(p.WrongResponse, 30)), string.Join(" ", Enumerable.Repeat(p.Example.Response, 30)))
            : new SpaRecord(p.Example.Instruction, p.Example.Input, p.Example.Response, p.WrongResponse, p.Example.Response))];

    [Fact]
    public async Task PairsLongerThanMaxLengthAreTruncatedNotDroppedAndTheRunReportsHowMany()
    {
        var records = LongPairs();
        var id = Guid.NewGuid();
        var store = new OneDataset(new StoredDataset(id, DatasetKinds.Spa, records));
        // Expected from the tokenizer alone: a side longer than the room its prompt leaves loses its end.
        var tokenizer = TextTokenizer.Load(_registry.Resolve("demo-initial"));
        var (truncated, cut) = (0, 0L);
        foreach (var r in records)
        {
            var room = 128 - PromptTemplate.Alpaca.EncodePrompt(tokenizer, r.Instruction, r.Input).Length;
            long over = Math.Max(0, tokenizer.Encode(r.OriginalOutput).Length + 1 - room) + Math.Max(0, tokenizer.Encode(r.RevisedOutput).Length + 1 - room);
            if (over > 0) (truncated, cut) = (truncated + 1, cut + over);
        }
        Assert.Equal(12, truncated);

        var context = new MethodContext(new FigaMethod(_registry, store),
            $$"""{"model":"demo-initial","dataset":"{{id}}","prompt_joining":"ids","max_length":128,"max_steps":2,"batch_size":4,"grad_accum":1,"eval_every":0,"eval_fraction":0.1,"checkpoint_every":0}""");
        await new FigaMethod(_registry, store).RunAsync(context);
        double At0(string name) => context.Points.Single(p => p.Name == name && p.Step == 0).Value;
        Assert.Equal(truncated, At0("pairs_truncated"));
        Assert.Equal(cut, At0("tokens_truncated"));
        Assert.Equal(0, At0("pairs_dropped"));
        Assert.Equal(2, context.Points.Count(p => p.Name == "loss"));

        // Every pair is kept, cut to 128 tokens with its weights; dropping instead keeps only the four short ones.
        var (train, eval, fitting) = FigaData.Load(records, tokenizer, PromptTemplate.Alpaca, new FigaOptions(), 128, OverlongPairs.Truncate, 0.25, 1);
        Assert.Equal(16, train.Count + eval.Count);
        Assert.All(train.Concat(eval), e =>
        {
            Assert.True(e.Prompt.Length + Math.Max(e.Original.Length, e.Revised.Length) <= 128);
            Assert.Equal((e.Original.Length, e.Revised.Length), (e.Weights.Original.Length, e.Weights.Revised.Length));
        });
        Assert.Equal(new FigaData.Fitting(16, truncated, cut, 0), fitting);
        var dropped = FigaData.Load(records, tokenizer, PromptTemplate.Alpaca, new FigaOptions(), 128, OverlongPairs.Drop, 0.25, 1);
        Assert.Equal(4, dropped.Train.Count + dropped.Eval.Count);
        Assert.Equal(12, dropped.Fitting.Dropped);
    }

    [Fact]
    public async Task WithoutMaxStepsARunTrainsItsEpochs()
    {
        // 16 pairs, 2 held out (round(16 × 0.1)), 14 trained on in micro-batches of 4 with no accumulation: ⌈14 / 4⌉ = 4 steps
        // an epoch, 8 for two.
        var id = Guid.NewGuid();
        var store = new OneDataset(new StoredDataset(id, DatasetKinds.Spa, LongPairs()));
        var context = new MethodContext(new FigaMethod(_registry, store),
            $$"""{"model":"demo-initial","dataset":"{{id}}","max_length":64,"max_steps":0,"epochs":2,"batch_size":4,"grad_accum":1,"eval_every":0,"eval_fraction":0.1,"checkpoint_every":0}""");
        await new FigaMethod(_registry, store).RunAsync(context);
        Assert.Equal(Enumerable.Range(1, 8).Select(i => (long)i), context.Points.Where(p => p.Name == "loss").Select(p => p.Step));
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
    public void APassOfSeveralMicroBatchesGivesTheSumOfTheirLossesFiguresAndGradients()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(11);
        // Two micro-batches of two pairs in FigaBatch's layout: the four revisions (micro-batches 0, 0, 1, 1), then the four
        // initial responses in the same order. Micro-batch 1 has many more counted tokens, so one normaliser for all
        // eight rows would weigh its tokens differently.
        var ce = (rand(8, 6) * 1.2).requires_grad_();
        var weights = tensor(new float[]
        {
            0, 1, 0, 0, 0, 0,
            0, 0, 1, 0, 0, 0,
            1, 1, 1, 1, 1, 0,
            0, 1, 1, 1, 1, 1,
            0, -0.5f, 0, 0, 0, 0,
            0, 0, -0.5f, -0.5f, 0, 0,
            -0.5f, -0.5f, -0.5f, 0, -0.5f, -0.5f,
            0, -0.5f, -0.5f, -0.5f, -0.5f, 0,
        }, [8, 6]);
        var groups = tensor(new long[] { 0, 0, 1, 1, 0, 0, 1, 1 });
        var options = new FigaOptions();

        var together = FigaLoss.Compute(ce, weights, weights.gt(0), options, groups, microBatches: 2);
        var gradientTogether = autograd.grad([together.Loss], [ce])[0];

        // Each micro-batch alone: its own rows, as a pass of one micro-batch computes them.
        var rowsOf = new[] { tensor(new long[] { 0, 1, 4, 5 }), tensor(new long[] { 2, 3, 6, 7 }) };
        var alone = rowsOf.Select(rows => FigaLoss.Compute(ce.index_select(0, rows), weights.index_select(0, rows), weights.index_select(0, rows).gt(0), options)).ToList();
        var gradientAlone = autograd.grad([alone[0].Loss + alone[1].Loss], [ce])[0];

        Assert.Equal(alone.Sum(a => a.Loss.item<float>()), together.Loss.item<float>(), 5);
        Assert.Equal(alone.Sum(a => a.GoodLoss), together.GoodLoss, 5);
        Assert.Equal(alone.Sum(a => a.BadLoss), together.BadLoss, 5);
        Assert.Equal((alone.Sum(a => a.GoodTokens), alone.Sum(a => a.BadKept), alone.Sum(a => a.BadDropped)), (together.GoodTokens, together.BadKept, together.BadDropped));
        Assert.True(gradientTogether.allclose(gradientAlone, rtol: 1e-5, atol: 1e-7), "the gradient of one pass equals the sum of the two passes' gradients");
        // Not a single normaliser: micro-batch 1's tokens get a smaller weight than micro-batch 0's.
        var pooled = FigaLoss.Compute(ce, weights, weights.gt(0), options);
        Assert.NotEqual(pooled.Loss.item<float>() * 2, together.Loss.item<float>(), 3);
    }

    [Fact]
    public async Task MicroBatchesRunTogetherTrainAsOneMicroBatchPerPass()
    {
        // Four micro-batches of two pairs per step, run one per pass and three per pass (a pass of three, then of one).
        var runs = new[] { 1, 3 }.Select(perPass => new MethodContext(new FigaMethod(_registry),
            $$"""{"model":"demo-initial","learning_rate":0.0005,"batch_size":2,"grad_accum":4,"micro_batches_per_pass":{{perPass}},"max_steps":3,"eval_every":0,"eval_fraction":0.1,"checkpoint_every":0}""")).ToList();
        foreach (var run in runs) await new FigaMethod(_registry).RunAsync(run);

        foreach (var metric in new[] { "loss", "good_token_loss", "bad_token_loss", "good_tokens", "bad_tokens_kept", "bad_tokens_dropped", "grad_norm" })
        {
            var (one, three) = (runs[0].Series(metric).ToArray(), runs[1].Series(metric).ToArray());
            Assert.Equal(3, one.Length);
            for (int i = 0; i < one.Length; i++) Assert.True(Math.Abs(one[i] - three[i]) <= 1e-4 * Math.Max(1, Math.Abs(one[i])), $"{metric} at step {i + 1}: {one[i]} vs {three[i]}");
        }
        using var onePerPass = ModelFolder.Load(Path.Combine(runs[0].ArtifactDirectory, "export"));
        using var threePerPass = ModelFolder.Load(Path.Combine(runs[1].ArtifactDirectory, "export"));
        // The keys' bias (c_attn.bias's middle third) shifts every score of a query alike, which softmax ignores: its gradient is
        // rounding noise, which Adam scales to steps of up to the learning rate whatever the pass layout. Left out.
        Tensor Compared(string name, Tensor weight) => name.EndsWith("attn.c_attn.bias", StringComparison.Ordinal)
            ? cat([weight.narrow(0, 0, weight.shape[0] / 3), weight.narrow(0, 2 * weight.shape[0] / 3, weight.shape[0] / 3)])
            : weight;
        var largest = onePerPass.named_parameters().Zip(threePerPass.named_parameters(),
            (a, b) => (Compared(a.name, a.parameter) - Compared(b.name, b.parameter)).abs().max().item<float>()).Max();
        Assert.True(largest < 1e-4, $"weights differ by up to {largest} after 3 steps at learning rate 5e-4");
    }

    [Fact]
    public async Task SharedPrefixesTrainAsEveryRowComputingItsOwn()
    {
        // The same steps with a pair's prompt (and the rows' common openings) computed once, and with share_prefixes off.
        var runs = new[] { true, false }.Select(share => new MethodContext(new FigaMethod(_registry),
            $$"""{"model":"demo-initial","learning_rate":0.0005,"batch_size":2,"grad_accum":2,"share_prefixes":{{(share ? "true" : "false")}},"max_steps":3,"eval_every":0,"eval_fraction":0.1,"checkpoint_every":0}""")).ToList();
        foreach (var run in runs) await new FigaMethod(_registry).RunAsync(run);

        foreach (var metric in new[] { "loss", "good_token_loss", "bad_token_loss", "good_tokens", "bad_tokens_kept", "grad_norm" })
        {
            var (shared, own) = (runs[0].Series(metric).ToArray(), runs[1].Series(metric).ToArray());
            for (int i = 0; i < own.Length; i++) Assert.True(Math.Abs(shared[i] - own[i]) <= 1e-4 * Math.Max(1, Math.Abs(own[i])), $"{metric} at step {i + 1}: {shared[i]} vs {own[i]}");
        }
        // A demo pair's two rows share at least their prompt, about half of their tokens; off, nothing is shared.
        Assert.All(runs[0].Series("shared_token_fraction"), f => Assert.InRange(f, 0.4, 0.95));
        Assert.All(runs[1].Series("shared_token_fraction"), f => Assert.Equal(0, f));
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
