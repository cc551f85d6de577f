using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AlignLab.Testing;

namespace AlignLab.Web.Tests;

/// <summary>“Aligning Large Language Models via Fine-grained Supervision”'s runs through the API: reward models trained on minimal edits or on imported preference pairs,
/// then the PPO variants against them, naming each exported reward model by its run ("runs/{id}/export"), with live
/// metrics, samples, checkpoints, artifacts and a clear failure when a variant and its reward model disagree. One web app
/// serves the class: each test names only the runs and datasets it made, by id.</summary>
[Collection(PostgresCollection.First)]
public sealed class PpoApiTests(SharedWebApp app) : IClassFixture<SharedWebApp>
{
    private async Task<Guid> RunAsync(object request, string status = "Succeeded")
    {
        var run = await app.Api.CreateRunAsync(request);
        var id = Guid.Parse(run["id"]!.GetValue<string>());
        await app.Api.WaitForStatusAsync(id, status, TimeSpan.FromSeconds(120));
        return id;
    }

    private async Task<string> ErrorAsync(Guid id) => (await app.Api.GetRunAsync(id))["error"]!.GetValue<string>();

    [Fact]
    public async Task FineGrainedTokenLevelPpoTrainsAgainstTheTokenLevelRewardModelARunExported()
    {
        await app.Api.Http.PostAsync("/api/models/demo", null);
        var rmId = await RunAsync(new
        {
            method = "reward-model",
            parameters = new { level = "token", pairs = "edited", max_steps = 6, batch_size = 8, eval_every = 3, eval_fraction = 0.02, checkpoint_every = 0 },
        });
        var rmMetrics = (await app.Api.MetricsAsync(rmId)).Select(p => p!["name"]!.GetValue<string>()).ToHashSet();
        Assert.Superset(new HashSet<string> { "loss", "accuracy", "margin", "eval_accuracy", "eval_accuracy_original_pairs", "eval_reward_preferred" }, rmMetrics);
        // The artifacts API lists the per-token rewards and serves them.
        var files = JsonNode.Parse(await app.Api.Http.GetStringAsync($"/api/runs/{rmId}/artifacts"))!.AsArray().Select(f => f!["path"]!.GetValue<string>()).ToList();
        Assert.Contains("token_rewards.jsonl", files);
        Assert.Contains("export/config.json", files);
        var distribution = JsonNode.Parse(await app.Api.Http.GetStringAsync($"/api/runs/{rmId}/artifacts/reward_distribution.json"))!;
        var finalAccuracy = (await app.Api.MetricsAsync(rmId)).Last(p => p!["name"]!.GetValue<string>() == "eval_accuracy")!["value"]!.GetValue<double>();
        Assert.Equal(finalAccuracy, distribution["accuracy"]!.GetValue<double>(), 6);
        var pairsRight = distribution["preferred"]!.AsArray().Zip(distribution["other"]!.AsArray(), (a, b) => a!.GetValue<double>() > b!.GetValue<double>()).Count(x => x);
        Assert.Equal(finalAccuracy, pairsRight / (double)distribution["preferred"]!.AsArray().Count, 6);
        var tokenRewards = await app.Api.Http.GetStringAsync($"/api/runs/{rmId}/artifacts/token_rewards.jsonl");
        Assert.NotNull(JsonNode.Parse(tokenRewards.Split('\n')[0])!["preferred"]![0]!["reward"]);
        File.WriteAllText(Path.Combine(app.ArtifactRoot, "runs", "secret.txt"), "not a run's file");
        Assert.Contains((await app.Api.Http.GetAsync($"/api/runs/{rmId}/artifacts/..%2Fsecret.txt")).StatusCode, new[] { HttpStatusCode.BadRequest, HttpStatusCode.NotFound });
        // The export is a model the next run can name, listed as a reward model.
        var models = JsonNode.Parse(await app.Api.Http.GetStringAsync("/api/models"))!.AsArray();
        var exported = Assert.Single(models, m => m!["name"]!.GetValue<string>() == $"runs/{rmId}/export")!;
        Assert.True(exported["exported"]!.GetValue<bool>());
        Assert.EndsWith("ForSequenceClassification", exported["architecture"]!.GetValue<string>());

        var ppoId = await RunAsync(new
        {
            method = "ppo",
            parameters = new
            {
                variant = "fine-grained-token", reward_model = $"runs/{rmId}/export",
                max_steps = 3, batch_size = 4, mini_batch_size = 2, max_new_tokens = 8, checkpoint_every = 2, sample_every = 1,
            },
        });
        var points = await app.Api.MetricsAsync(ppoId);
        foreach (var name in new[] { "reward", "reward_with_kl", "kl", "kl_beta", "entropy", "policy_loss", "value_loss", "clip_fraction", "approx_kl",
                     "explained_variance", "response_length", "rollout_tokens_per_s", "train_tokens_per_s", "shared_token_fraction" })
            Assert.Equal([1L, 2, 3], points.Where(p => p!["name"]!.GetValue<string>() == name).Select(p => p!["step"]!.GetValue<long>()));
        var ppoRun = Path.Combine(app.ArtifactRoot, "runs", ppoId.ToString());
        Assert.Equal(12, File.ReadAllLines(Path.Combine(ppoRun, "samples.jsonl")).Length);        // 4 samples × 3 steps
        // The same through the API: newest step first, after a step, with their prompts and rewards.
        var samples = JsonNode.Parse(await app.Api.Http.GetStringAsync($"/api/runs/{ppoId}/samples?afterStep=1"))!.AsArray();
        Assert.Equal([3L, 3, 3, 3, 2, 2, 2, 2], samples.Select(s => s!["step"]!.GetValue<long>()));
        Assert.All(samples, s => Assert.False(string.IsNullOrEmpty(s!["prompt"]!.GetValue<string>())));
        Assert.True(Directory.Exists(Path.Combine(ppoRun, "checkpoints", "step-0000000002")));
        var policyConfig = JsonNode.Parse(File.ReadAllText(Path.Combine(ppoRun, "export", "config.json")))!;
        Assert.Equal("fine-grained-token", policyConfig["alignlab_ppo_variant"]!.GetValue<string>());

        // A sequence-level variant against a token-level reward model fails before training, saying why.
        var wrong = await RunAsync(new { method = "ppo", parameters = new { variant = "ppo-rlhf", reward_model = $"runs/{rmId}/export", max_steps = 2 } }, "Failed");
        Assert.Contains("variant: ppo-rlhf needs a sequence-level reward model; this one is token-level", await ErrorAsync(wrong));
        var missing = await RunAsync(new { method = "ppo", parameters = new { reward_model = $"runs/{Guid.NewGuid()}/export", max_steps = 2 } }, "Failed");
        Assert.Contains("has not exported a model", await ErrorAsync(missing));
    }

    [Fact]
    public async Task ImportedPreferencePairsTrainTheSequenceLevelRewardModelOfThePpoRlhfBaseline()
    {
        await app.Api.Http.PostAsync("/api/models/demo", null);
        var lines = string.Join('\n', Enumerable.Range(0, 24).Select(i => new JsonObject
        {
            ["prompt"] = $"What is {i} plus {i}?", ["chosen"] = $"It is {2 * i}.", ["rejected"] = $"It is {2 * i + 1}, I think.",
        }.ToJsonString()));
        var upload = await app.Api.Http.PostAsync("/api/datasets/preference?name=sums", new StringContent(lines, Encoding.UTF8, "application/x-ndjson"));
        Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
        var datasetId = JsonNode.Parse(await upload.Content.ReadAsStringAsync())!["dataset"]!["id"]!.GetValue<string>();

        // Preference pairs have no edited responses: asking for edited pairs fails the run with the reason.
        var noEdits = await RunAsync(new { method = "reward-model", parameters = new { dataset = datasetId, pairs = "edited", max_steps = 2 } }, "Failed");
        Assert.Contains("preference dataset (prompt, input, chosen, rejected, query_type), which has no minimally edited responses", await ErrorAsync(noEdits));

        var rmId = await RunAsync(new
        {
            method = "reward-model",
            parameters = new { dataset = datasetId, pairs = "original", level = "sequence", max_steps = 4, batch_size = 4, eval_every = 2, eval_fraction = 0.25, checkpoint_every = 0 },
        });
        var rmMetrics = (await app.Api.MetricsAsync(rmId)).Select(p => p!["name"]!.GetValue<string>()).ToHashSet();
        Assert.Contains("eval_accuracy", rmMetrics);
        Assert.DoesNotContain("eval_accuracy_original_pairs", rmMetrics);       // the held-out pairs are the preference pairs themselves
        var rmConfig = JsonNode.Parse(File.ReadAllText(Path.Combine(app.ArtifactRoot, "runs", rmId.ToString(), "export", "config.json")))!;
        Assert.Equal("sequence", rmConfig["alignlab_reward_level"]!.GetValue<string>());
        Assert.Equal("original", rmConfig["alignlab_reward_pairs"]!.GetValue<string>());

        var mislabelled = await RunAsync(new { method = "ppo", parameters = new { variant = "fine-grained", reward_model = $"runs/{rmId}/export", max_steps = 2 } }, "Failed");
        Assert.Contains("variant: fine-grained needs a reward model trained on edited pairs; this one was trained on original pairs", await ErrorAsync(mislabelled));
        var baseline = await RunAsync(new
        {
            method = "ppo",
            parameters = new { variant = "ppo-rlhf", reward_model = $"runs/{rmId}/export", prompts = datasetId, max_steps = 2, batch_size = 4, mini_batch_size = 2, max_new_tokens = 6, checkpoint_every = 0 },
        });
        Assert.Contains(await app.Api.MetricsAsync(baseline), p => p!["name"]!.GetValue<string>() == "reward");
    }

    [Fact]
    public async Task ARunsStoredRolloutsAreServedByStepWithEveryTokensChannelsSortedAndFiltered()
    {
        await app.Api.Http.PostAsync("/api/models/demo", null);
        var id = await RunAsync(new
        {
            method = "ppo",
            parameters = new
            {
                preset = "demo", reward = "keyword", keyword = "Tokyo", max_steps = 2, batch_size = 4, mini_batch_size = 2, ppo_epochs = 1,
                max_new_tokens = 6, sample_every = 1, rollouts_kept = 3, checkpoint_every = 0,
            },
        });
        var last = JsonNode.Parse(await app.Api.Http.GetStringAsync($"/api/runs/{id}/rollouts"))!;
        Assert.Equal([1L, 2L], last["steps"]!.AsArray().Select(s => s!.GetValue<long>()));
        Assert.Equal(2, last["step"]!.GetValue<long>());
        Assert.True(last["bytes"]!.GetValue<long>() > 0);
        var rollouts = last["rollouts"]!.AsArray();
        Assert.Equal(3, rollouts.Count);
        foreach (var rollout in rollouts)
        {
            var tokens = rollout!["tokens"]!.AsArray().Count;
            Assert.True(tokens >= 1);
            foreach (var channel in new[] { "logProb", "refLogProb", "kl", "value", "tokenScore", "reward", "advantage" })
                Assert.Equal(tokens, rollout[channel]!.AsArray().Count);
        }

        var sorted = JsonNode.Parse(await app.Api.Http.GetStringAsync($"/api/runs/{id}/rollouts?step=1&sort=-score&limit=2"))!;
        var scores = sorted["rollouts"]!.AsArray().Select(r => r!["score"]!.GetValue<double>()).ToList();
        Assert.Equal(2, scores.Count);
        Assert.Equal(3, sorted["total"]!.GetValue<int>());
        Assert.Equal(scores.OrderDescending(), scores);
        var high = JsonNode.Parse(await app.Api.Http.GetStringAsync($"/api/runs/{id}/rollouts?step=1&minScore=0.5"))!["rollouts"]!.AsArray();
        Assert.All(high, r => Assert.True(r!["score"]!.GetValue<double>() >= 0.5));

        foreach (var (query, field) in new[] { ("step=7", "step"), ("sort=loud", "sort"), ("flag=cheating", "flag"), ("limit=0", "limit"), ("minScore=2&maxScore=1", "minScore") })
        {
            var refused = await app.Api.Http.GetAsync($"/api/runs/{id}/rollouts?{query}");
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.NotNull(JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["errors"]![field]);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await app.Api.Http.GetAsync($"/api/runs/{Guid.NewGuid()}/rollouts")).StatusCode);
    }
}
