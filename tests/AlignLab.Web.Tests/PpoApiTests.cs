using AlignLab.Testing;

namespace AlignLab.Web.Tests;

/// <summary>Fine-grained token-level PPO through the API: a token-level reward model trained by one run, then PPO
/// against it, with live metrics, samples, checkpoints and the exported policy.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PpoApiTests(PostgresFixture postgres) : WebAppTestBase(postgres)
{
    [Fact]
    public async Task ARewardModelRunThenAPpoRunAgainstItCompleteWithTheirMetricsAndArtifacts()
    {
        await Api.Http.PostAsync("/api/models/demo", null);
        var rm = await Api.CreateRunAsync(new
        {
            method = "reward-model",
            parameters = new { level = "token", pairs = "edited", max_steps = 6, batch_size = 8, eval_every = 3, eval_fraction = 0.02, checkpoint_every = 0 },
        });
        var rmId = Guid.Parse(rm["id"]!.GetValue<string>());
        await Api.WaitForStatusAsync(rmId, "Succeeded", TimeSpan.FromSeconds(120));
        var rmMetrics = (await Api.MetricsAsync(rmId)).Select(p => p!["name"]!.GetValue<string>()).ToHashSet();
        Assert.Superset(new HashSet<string> { "loss", "accuracy", "margin", "eval_accuracy", "eval_accuracy_original_pairs", "eval_reward_preferred" }, rmMetrics);
        var rmRun = Path.Combine(ArtifactRoot, "runs", rmId.ToString());
        Assert.True(File.ReadAllLines(Path.Combine(rmRun, "token_rewards.jsonl")).Length > 0);
        // The exported reward model is placed under a model root, where runs can name it.
        CopyFolder(Path.Combine(rmRun, "export"), Path.Combine(ModelRoot, "token-rm"));

        var ppo = await Api.CreateRunAsync(new
        {
            method = "ppo",
            parameters = new { reward_model = "token-rm", max_steps = 3, batch_size = 4, mini_batch_size = 2, max_new_tokens = 8, checkpoint_every = 2, sample_every = 1 },
        });
        var ppoId = Guid.Parse(ppo["id"]!.GetValue<string>());
        await Api.WaitForStatusAsync(ppoId, "Succeeded", TimeSpan.FromSeconds(120));
        var points = await Api.MetricsAsync(ppoId);
        foreach (var name in new[] { "reward", "reward_with_kl", "kl", "kl_beta", "entropy", "policy_loss", "value_loss", "clip_fraction", "approx_kl",
                     "explained_variance", "response_length", "rollout_tokens_per_s", "train_tokens_per_s" })
            Assert.Equal([1L, 2, 3], points.Where(p => p!["name"]!.GetValue<string>() == name).Select(p => p!["step"]!.GetValue<long>()));
        var ppoRun = Path.Combine(ArtifactRoot, "runs", ppoId.ToString());
        Assert.Equal(12, File.ReadAllLines(Path.Combine(ppoRun, "samples.jsonl")).Length);        // 4 samples × 3 steps
        Assert.True(Directory.Exists(Path.Combine(ppoRun, "checkpoints", "step-0000000002")));
        Assert.True(File.Exists(Path.Combine(ppoRun, "export", "model.safetensors")));
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
    }
}
