using AlignLab.Training.Demo;
using AlignLab.Training.Methods.Ppo;
using AlignLab.Training.Registry;
using Xunit.Abstractions;

namespace AlignLab.Training.Tests;

public sealed class PpoMethodTests(ITestOutputHelper output)
{
    private static ModelRegistry DemoRegistry() => new([TinyModels.DemoRoot()]);

    // The untrained demo model samples almost uniformly; +1 per " Tokyo" token; β starts at 0.2 (adaptive, target 6).
    private const string KeywordReward =
        "\"preset\":\"demo\",\"reward\":\"keyword\",\"keyword\":\"Tokyo\",\"learning_rate\":0.001,\"ppo_epochs\":2,\"max_new_tokens\":12";
    private const string KeywordRun = KeywordReward + ",\"batch_size\":16,\"mini_batch_size\":8";

    [Fact]
    public async Task PpoRaisesARewardThatFavoursAKnownTokenWhileTheKlStaysBounded()
    {
        var registry = DemoRegistry();
        // 32 rollouts a step: with about one keyword token in 600 sampled, the reward took off between steps 15 and 30 for
        // each of four seeds; with 16 it took off anywhere from step 20 to past 50, so whether it did within 40 was chance.
        var context = new MethodContext(new PpoMethod(registry), $$"""{{{KeywordReward}},"batch_size":32,"mini_batch_size":16,"max_steps":40,"checkpoint_every":0}""");
        await new PpoMethod(registry).RunAsync(context);
        var reward = context.Series("reward").ToList();
        var kl = context.Series("kl").ToList();
        output.WriteLine("reward per 5 steps: " + string.Join(" ", reward.Chunk(5).Select(c => c.Average().ToString("0.00"))));
        output.WriteLine("kl per 5 steps: " + string.Join(" ", kl.Chunk(5).Select(c => c.Average().ToString("0.00"))));
        output.WriteLine("beta per 5 steps: " + string.Join(" ", context.Series("kl_beta").Chunk(5).Select(c => c.Average().ToString("0.0000"))));
        Assert.Equal(40, reward.Count);
        Assert.True(reward.TakeLast(5).Average() > reward.Take(5).Average() + 2, "the keyword reward rises by more than two tokens per response");
        // Bounded: the KL (nats per response) levels off where the penalty β·KL balances the reward, far below the
        // ~75 nats of a policy that puts all its mass on the keyword (12 tokens × ln 600).
        Assert.All(kl, k => Assert.True(k < 30, $"KL {k} per response"));
        // It stops growing: the last ten steps' mean KL within a quarter of the ten before (a single step's KL moves by a
        // third around that mean, so the mean, not the largest step, is what is compared).
        var (before, last) = (kl.Skip(20).Take(10).Average(), kl.TakeLast(10).Average());
        Assert.True(last < 1.25 * before, $"the KL stops growing: {before:0.00} then {last:0.00} per response");
    }

    [Fact]
    public async Task AnInterruptedPpoRunResumesWithItsWeightsOptimizerAndKlCoefficient()
    {
        var registry = DemoRegistry();
        var first = new MethodContext(new PpoMethod(registry), $$"""{{{KeywordRun}},"max_steps":14,"checkpoint_every":5}""", cancelAt: ("reward", 10));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new PpoMethod(registry).RunAsync(first));
        var betaAtStop = first.Points.Single(p => p.Name == "kl_beta" && p.Step == 10).Value;

        var second = new MethodContext(new PpoMethod(registry), $$"""{{{KeywordRun}},"max_steps":14,"checkpoint_every":5}""", first.ArtifactDirectory);
        await new PpoMethod(registry).RunAsync(second);
        Assert.Equal([11L, 12, 13, 14], second.Points.Where(p => p.Name == "reward").Select(p => p.Step));
        // β continues from the checkpoint: one more update of β at step 10, not a restart from init_kl_coef.
        var betaAfter = second.Points.Single(p => p.Name == "kl_beta" && p.Step == 11).Value;
        Assert.InRange(betaAfter / betaAtStop, 0.99, 1.01);
        Assert.NotEqual(0.2, betaAtStop, 3);
        Assert.True(File.Exists(Path.Combine(first.ArtifactDirectory, "export", "config.json")));
        Assert.True(File.ReadAllLines(Path.Combine(first.ArtifactDirectory, AlignLab.Core.Ppo.PpoArtifacts.SamplesFile)).Length >= 4);
    }

    /// <summary>A reward fixed per step (every rollout of step k gets rewards[k − 1] at its last token), so that a run's
    /// mean reward can be made to peak where a test wants.</summary>
    private sealed class RewardByStep(double[] rewards) : IRewardSource
    {
        private int _calls;

        public string Description => "reward by step";

        public IReadOnlyList<double[]> Score(IReadOnlyList<PpoSample> samples)
        {
            var reward = rewards[Math.Min(_calls++, rewards.Length - 1)];
            return [.. samples.Select(s => { var row = new double[s.Response.Length]; row[^1] = reward; return row; })];
        }

        public void Dispose() { }
    }

    [Fact]
    public async Task BestCheckpointSelectionExportsThePolicyWhoseMeanRewardPeakedMidRun()
    {
        var registry = DemoRegistry();
        var prompts = AlignLab.Core.Demo.BuiltInDatasets.Find(PpoMethod.DemoPrompts)!.Load().Records;
        async Task<MethodContext> RunAsync(long steps, int bestEvery)
        {
            var context = new MethodContext(new PpoMethod(registry),
                $$"""{{{KeywordRun}},"max_steps":{{steps}},"checkpoint_every":0,"sample_every":0,"best_every":{{bestEvery}}}""");
            var o = PpoRunOptions.Schema.Bind(context.Parameters, PpoRunOptions.Defaults);
            // Windows of two steps: mean 1 (steps 1–2), 5 (3–4), 0 (5–6): the best is the policy after step 4.
            await PpoMethod.TrainAsync(context, registry, o, o.Ppo, prompts, _ => new RewardByStep([1, 1, 5, 5, 0, 0]));
            return context;
        }
        var peak = await RunAsync(4, bestEvery: 0);
        var best = await RunAsync(6, bestEvery: 2);
        Assert.Equal([1.0, 5, 0], best.Series("window_reward"));
        Assert.Equal(4, best.Points.Single(p => p.Name == "exported_step").Value);

        // The same seeds and rewards make the first four steps of both runs the same: the export is the policy at step 4.
        using var atPeak = Models.ModelFolder.Load(Path.Combine(peak.ArtifactDirectory, "export"));
        using var exported = Models.ModelFolder.Load(Path.Combine(best.ArtifactDirectory, "export"));
        var expected = atPeak.state_dict();
        foreach (var (name, tensor) in exported.state_dict())
            Assert.True(tensor.allclose(expected[name], rtol: 0, atol: 1e-6), $"{name} differs from the policy at step 4");
    }

    [Fact]
    public async Task RolloutsGeneratedInPassesDrawOtherTokensAndReproduceWithTheSeed()
    {
        var registry = DemoRegistry();
        async Task<string[]> Responses(int pass)
        {
            var context = new MethodContext(new PpoMethod(registry),
                $$"""{{{KeywordRun}},"max_steps":1,"checkpoint_every":0,"sample_every":1,"generation_batch_size":{{pass}}}""");
            await new PpoMethod(registry).RunAsync(context);
            return [.. File.ReadAllLines(Path.Combine(context.ArtifactDirectory, AlignLab.Core.Ppo.PpoArtifacts.SamplesFile))
                .Select(l => System.Text.Json.Nodes.JsonNode.Parse(l)!["response"]!.GetValue<string>())];
        }
        // Passes of 3 of the 16 rollouts: the seed's draws go to other rows than in one pass of 16 (which prompt gets which
        // tokens in each pass: GenerationPathTests), and the same settings draw the same again.
        var inPasses = await Responses(3);
        Assert.NotEqual(await Responses(0), inPasses);
        Assert.Equal(inPasses, await Responses(3));
    }

    [Fact]
    public async Task WithLoraTheReferenceIsThePolicyWithItsAdaptersOffAndOnlyAdaptersTrain()
    {
        var registry = DemoRegistry();
        var context = new MethodContext(new PpoMethod(registry), $$"""{{{KeywordRun}},"max_steps":6,"checkpoint_every":0,"lora":true,"lora_r":4}""");
        await new PpoMethod(registry).RunAsync(context);
        var kl = context.Series("kl").ToList();
        // Adapters start as the identity (B = 0): before the first update policy and reference agree exactly.
        Assert.Equal(0, kl[0], 5);
        // After it they differ. The KL is a sampled estimate (Σ log π − log π_ref over the sampled tokens), which can
        // come out negative for a moved policy, so its size is what shows the move: zero only if nothing trained.
        Assert.True(kl.Skip(1).Max(Math.Abs) > 1e-3, $"the adapters moved the policy away from the reference (KL estimates {string.Join(", ", kl)})");

        // The export merges the adapters: attention weights changed, the MLP (not adapted) did not.
        using var base_ = Models.ModelFolder.Load(registry.Resolve(DemoModel.Name));
        using var trained = Models.ModelFolder.Load(Path.Combine(context.ArtifactDirectory, "export"));
        var before = base_.state_dict();
        var after = trained.state_dict();
        Assert.False(before["transformer.h.0.attn.c_attn.weight"].allclose(after["transformer.h.0.attn.c_attn.weight"]));
        Assert.True(before["transformer.h.0.mlp.c_fc.weight"].equal(after["transformer.h.0.mlp.c_fc.weight"]).all().item<bool>());
    }
}
