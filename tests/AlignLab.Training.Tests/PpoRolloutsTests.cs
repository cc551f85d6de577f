using AlignLab.Core.Ppo;
using AlignLab.Core.Runs;
using AlignLab.Training.Demo;
using AlignLab.Training.Methods.Ppo;
using AlignLab.Training.Registry;

namespace AlignLab.Training.Tests;

/// <summary>The rollouts PPO stores for the rollouts browser: per token, the KL term is the policy's log-prob minus the
/// reference's, the reward GAE reads is the reward model's score less β·KL, and the advantage is GAE's, recomputed here by
/// hand from the stored rewards and values.</summary>
public sealed class PpoRolloutsTests
{
    private const double Gamma = 0.9, Lambda = 0.8, Beta = 0.2;

    [Fact]
    public async Task EachStoredRolloutsChannelsAreTheOnesTheUpdateUsed()
    {
        var root = TinyModels.DemoRoot();
        var registry = new ModelRegistry([root]);
        var context = new MethodContext(new PpoMethod(registry), $$"""
            {"preset":"demo","reward":"keyword","keyword":"Tokyo","model":"{{DemoModel.Name}}","batch_size":4,"mini_batch_size":2,"ppo_epochs":1,
             "max_new_tokens":6,"max_steps":3,"checkpoint_every":0,"sample_every":2,"rollouts_kept":3,"adaptive_kl":false,"init_kl_coef":{{Beta}},
             "kl_clamp":false,"whiten_rewards":false,"score_scaling":false,"gamma":{{Gamma}},"lam":{{Lambda}}}
            """);
        await new PpoMethod(registry).RunAsync(context);

        var rollouts = StepLog.Read<RolloutRecord>(Path.Combine(context.ArtifactDirectory, PpoArtifacts.RolloutsFile)).ToList();
        // Steps 1 and 2 (sample_every 2, and the first), three rollouts each.
        Assert.Equal([1L, 1, 1, 2, 2, 2], rollouts.Select(r => r.Step));
        Assert.Equal([0, 1, 2, 0, 1, 2], rollouts.Select(r => r.Index));
        foreach (var rollout in rollouts)
        {
            var n = rollout.Tokens.Count;
            Assert.All(RolloutRecord.Channels, c => Assert.Equal(n, rollout.Channel(c).Count));
            Assert.Equal(rollout.Score, rollout.TokenScore.Sum(), 4);
            // The keyword reward: +1 on each of the keyword's tokens, 0 elsewhere.
            Assert.All(rollout.TokenScore, s => Assert.Contains(s, new[] { 0f, 1f }));
            double next = 0, nextValue = 0;
            var advantages = new double[n];
            for (int t = n - 1; t >= 0; t--)
            {
                Assert.Equal(rollout.LogProb[t] - rollout.RefLogProb[t], rollout.Kl[t], 5);
                Assert.Equal(rollout.TokenScore[t] - Beta * rollout.Kl[t], rollout.Reward[t], 5);
                next = rollout.Reward[t] + Gamma * nextValue - rollout.Value[t] + Gamma * Lambda * next;
                advantages[t] = next;
                nextValue = rollout.Value[t];
            }
            for (int t = 0; t < n; t++) Assert.Equal(advantages[t], rollout.Advantage[t], 4);
        }
        // The policy moved between the steps: the first step's log-probs are the reference's (β·KL is then 0 up to rounding).
        Assert.All(rollouts.Where(r => r.Step == 1).SelectMany(r => r.Kl), k => Assert.True(Math.Abs(k) < 1e-4, $"KL {k} at step 1"));
    }
}
