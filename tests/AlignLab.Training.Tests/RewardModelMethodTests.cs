using System.Text.Json.Nodes;
using AlignLab.Core.Tokenization;
using AlignLab.Training.Demo;
using AlignLab.Training.Methods.RewardModeling;
using AlignLab.Training.Registry;
using AlignLab.Training.Rewards;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace AlignLab.Training.Tests;

public sealed class RewardModelMethodTests(ITestOutputHelper output)
{
    [Fact]
    public void TheLossesFollowEquationsOneThreeAndFourOnAHandWorkedBatch()
    {
        using var scope = NewDisposeScope();
        // One pair, prompt of 1 token; preferred response [a b EOS] with b changed, other [a c d EOS] with c, d changed.
        var example = new RewardExample(new RewardPair("q", "", "", ""), [9], [1, 2, 0], [1, 3, 4, 0], [false, true, false], [false, true, true, false]);
        var batch = RewardBatch.Build([example], padTokenId: 0, CPU);
        // Scores per position (row 0 preferred, row 1 other); position 0 is the prompt.
        var scores = tensor(new float[] { 9, 1, 4, 2, 0, /**/ 9, 1, -2, 1, 3 }, [2, 5]);
        // Sequence level: the last response token: 2 (preferred, position 3) vs 3 (other, position 4): margin −1.
        Assert.Equal(-1f, RewardLoss.Margin(scores, batch, RewardLoss.Level.Sequence, RewardLoss.TokenObjective.Full).item<float>());
        // Token level, Eq. 1 (full): R = mean over response tokens: (1 + 4 + 2)/3 = 7/3 vs (1 − 2 + 1 + 3)/4 = 3/4.
        Assert.Equal(7f / 3 - 3f / 4, RewardLoss.Margin(scores, batch, RewardLoss.Level.Token, RewardLoss.TokenObjective.Full).item<float>(), 5);
        // Eq. 4: changed tokens only, each side divided by its length: 4/3 vs (−2 + 1)/4.
        var margin = RewardLoss.Margin(scores, batch, RewardLoss.Level.Token, RewardLoss.TokenObjective.ChangedTokens).item<float>();
        Assert.Equal(4f / 3 + 1f / 4, margin, 5);
        // Bradley–Terry: −log σ(m) = log(1 + e^−m).
        Assert.Equal(Math.Log(1 + Math.Exp(-margin)), RewardLoss.Loss(tensor(new[] { margin })).item<float>(), 5);
    }

    [Fact]
    public async Task OnDataWhereTheEditedSpanDecidesTheTokenLevelModelBeatsTheSequenceModelTrainedOnOriginalPairs()
    {
        var root = TinyModels.DemoRoot();
        var registry = new ModelRegistry([root]);
        // Reward models start from the SFT policy, as in the paper: the demo model fine-tuned on the demo answers.
        await DemoSftPolicy.CopyToAsync(root, "demo-sft");
        const string common = "\"model\":\"demo-sft\",\"learning_rate\":0.001,\"warmup_steps\":10,\"eval_every\":0,\"eval_fraction\":0.1,\"checkpoint_every\":0";
        // The token model's held-out accuracy passes 85 % between 300 and 500 steps, where exactly depends on float rounding
        // (0.68 to 0.87 at 300 steps on two CPUs); at 500 it is 0.94.
        var token = new MethodContext(new RewardModelMethod(registry), $$"""{"level":"token","pairs":"edited","max_steps":500,{{common}}}""");
        await new RewardModelMethod(registry).RunAsync(token);
        // The sequence model learns its own pairs by their style within 100 steps (asserted below: ≥ 95 % held out); more
        // steps only take longer, the edited pairs stay out of its reach.
        var sequence = new MethodContext(new RewardModelMethod(registry), $$"""{"level":"sequence","pairs":"original","max_steps":100,{{common}}}""");
        await new RewardModelMethod(registry).RunAsync(sequence);

        double Final(MethodContext context, string metric) => context.Series(metric).Last();
        output.WriteLine("token-level training accuracy per 50 steps: " + string.Join(" ", token.Series("accuracy").Chunk(50).Select(c => c.Average().ToString("0.00"))));
        var tokenAccuracy = Final(token, "eval_accuracy");
        var sequenceAccuracy = Final(sequence, "eval_accuracy");
        output.WriteLine($"held-out accuracy on edited pairs: token-level RM (edited pairs) {tokenAccuracy:P1}, sequence-level RM (original pairs) {sequenceAccuracy:P1}; " +
                         $"the sequence RM on its own kind of pairs: {Final(sequence, "eval_accuracy_original_pairs"):P1}");
        Assert.True(tokenAccuracy >= 0.85, $"token-level accuracy {tokenAccuracy:P1}");
        Assert.True(tokenAccuracy - sequenceAccuracy >= 0.2, $"token {tokenAccuracy:P1} vs sequence {sequenceAccuracy:P1}");
        Assert.True(Final(sequence, "eval_accuracy_original_pairs") >= 0.95, "the sequence RM did learn its own pairs (by their style)");

        // The export is a reward model that reads its own level, and the heatmap artifact holds per-token rewards.
        var export = Path.Combine(token.ArtifactDirectory, "export");
        Assert.Equal("token", JsonNode.Parse(File.ReadAllText(Path.Combine(export, "config.json")))![RewardModel.LevelKey]!.GetValue<string>());
        using var rewardModel = RewardModel.Load(export, CPU);
        Assert.True(rewardModel.TokenLevel);
        var rewards = rewardModel.Score([("What is the capital of Japan?", "", "The capital of Japan is Tokyo."), ("What is the capital of Japan?", "", "The capital of Japan is Rome.")], PromptTemplate.Alpaca);
        Assert.True(rewards[0] > rewards[1], $"right fact {rewards[0]:0.000} vs wrong fact {rewards[1]:0.000}");
        var row = JsonNode.Parse(File.ReadAllLines(Path.Combine(token.ArtifactDirectory, AlignLab.Core.RewardModeling.RewardModelArtifacts.TokenRewardsFile))[0])!;
        Assert.Contains(row["preferred"]!.AsArray(), t => t!["changed"]!.GetValue<bool>());
        Assert.All(row["other"]!.AsArray(), t => Assert.True(double.IsFinite(t!["reward"]!.GetValue<double>())));
    }
}
