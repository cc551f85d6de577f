using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using AlignLab.Testing;

namespace AlignLab.Web.Tests;

/// <summary>R³ PPO through the API: a run on the demo data logs each reward component beside PPO's metrics and
/// completes; a dataset without query types fails with the reason unless the run says how to type its queries. One web
/// app serves the class: each test reads its own runs by id and counts runs before and after a refusal.</summary>
[Collection(PostgresCollection.Second)]
public sealed class R3PpoApiTests(SharedWebApp app) : IClassFixture<SharedWebApp>
{
    private static readonly string[] Components = ["r3_relevance", "r3_length_incentive", "r3_repetition_penalty", "r3_closed_ended_share"];

    private async Task<Guid> RunAsync(object parameters, string status)
    {
        var run = await app.Api.CreateRunAsync(new { method = "r3-ppo", parameters });
        var id = Guid.Parse(run["id"]!.GetValue<string>());
        await app.Api.WaitForStatusAsync(id, status, TimeSpan.FromSeconds(120));
        return id;
    }

    [Fact]
    public async Task AnR3RunOnTheDemoDataLogsEveryComponentAndCompletesWithARewardHackingReport()
    {
        await app.Api.Http.PostAsync("/api/models/demo", null);
        var id = await RunAsync(new { preset = "demo", max_steps = 3, batch_size = 6, mini_batch_size = 3, ppo_epochs = 1, max_new_tokens = 10, checkpoint_every = 0, sample_every = 1 }, "Succeeded");
        var points = await app.Api.MetricsAsync(id);
        foreach (var name in Components.Append("reward").Append("kl"))
            Assert.Equal([1L, 2, 3], points.Where(p => p!["name"]!.GetValue<string>() == name).Select(p => p!["step"]!.GetValue<long>()));
        double Value(string name, long step) => points.Single(p => p!["name"]!.GetValue<string>() == name && p["step"]!.GetValue<long>() == step)!["value"]!.GetValue<double>();
        for (long step = 1; step <= 3; step++)
        {
            Assert.InRange(Value("r3_repetition_penalty", step), 0, 1);
            Assert.InRange(Value("r3_closed_ended_share", step), 0, 1);
            // At most 10 new tokens of the demo tokenizer: a handful of word/punct tokens, LI well under 0.1 per token.
            Assert.InRange(Value("r3_length_incentive", step), 0, 0.25);
        }
        var run = await app.Api.GetRunAsync(id);
        Assert.True(run["parameters"]!["lora"]!.GetValue<bool>(), "R³ runs LoRA by default");

        // The reward-hacking report covers every rollout, one phase per step here, and agrees with the live metric.
        var hacking = JsonNode.Parse(await app.Api.Http.GetStringAsync($"/api/runs/{id}/reward-hacking"))!;
        Assert.Equal(18, hacking["report"]!["rollouts"]!.GetValue<int>());
        var phases = hacking["report"]!["phases"]!.AsArray();
        Assert.Equal([1L, 2, 3], phases.Select(p => p!["fromStep"]!.GetValue<long>()));
        Assert.All(phases, p => Assert.Equal(6, p!["rollouts"]!.GetValue<int>()));
        for (int k = 0; k < 3; k++)
        {
            Assert.Equal(Value("query_copy_share", k + 1), phases[k]!["queryCopyShare"]!.GetValue<double>(), 9);
            Assert.Equal(Value("repeat_4gram", k + 1), phases[k]!["meanRepeat4"]!.GetValue<double>(), 9);
        }
        var merged = JsonNode.Parse(await app.Api.Http.GetStringAsync($"/api/runs/{id}/reward-hacking?phases=1"))!["report"]!["phases"]!.AsArray();
        Assert.Equal(3L, Assert.Single(merged)!["toStep"]!.GetValue<long>());
        var badPhases = await app.Api.Http.GetAsync($"/api/runs/{id}/reward-hacking?phases=0");
        Assert.Equal(HttpStatusCode.BadRequest, badPhases.StatusCode);
        Assert.Contains("phases", await badPhases.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task WithoutARetrieverOnlyTheDemoPresetRuns()
    {
        await app.Api.Http.PostAsync("/api/models/demo", null);
        var runsBefore = await app.Api.RunCountAsync();
        foreach (var parameters in new object[] { new { max_steps = 1 }, new { preset = "paper", max_steps = 1 } })
        {
            var refused = await app.Api.Http.PostAsJsonAsync("/api/runs", new { method = "r3-ppo", parameters });
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            var errors = JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["errors"]!.AsObject();
            Assert.Equal(["parameters.retriever"], errors.Select(e => e.Key));
            Assert.Contains("not R³", errors["parameters.retriever"]![0]!.GetValue<string>());
        }
        Assert.Equal(runsBefore, await app.Api.RunCountAsync());
        var demo = await app.Api.CreateRunAsync(new { method = "r3-ppo", parameters = new { preset = "demo", max_steps = 1 } });
        Assert.Equal("", demo["parameters"]!["retriever"]!.GetValue<string>());
        await app.Api.Http.PostAsync($"/api/runs/{demo["id"]!.GetValue<string>()}/cancel", null);
    }

    [Fact]
    public async Task UnlabelledQueriesFailTheRunUnlessOneTypeIsChosenForAllAndARetrieverFolderScoresRelevance()
    {
        await app.Api.Http.PostAsync("/api/models/demo", null);
        var pool = string.Join('\n', Enumerable.Range(1, 6).Select(i => new JsonObject { ["instruction"] = $"What is {i} plus {i}?", ["output"] = $"It is {2 * i}." }.ToJsonString()));
        var upload = await app.Api.Http.PostAsync("/api/datasets/pool?name=sums", new StringContent(pool, Encoding.UTF8, "application/x-ndjson"));
        Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
        var dataset = JsonNode.Parse(await upload.Content.ReadAsStringAsync())!["dataset"]!["id"]!.GetValue<string>();

        var failed = await RunAsync(new { preset = "demo", dataset, max_steps = 1 }, "Failed");
        Assert.Contains("query_types: 6 of 6 records have no query_type label", (await app.Api.GetRunAsync(failed))["error"]!.GetValue<string>());
        var noRollouts = await app.Api.Http.GetAsync($"/api/runs/{failed}/reward-hacking");
        Assert.Equal(HttpStatusCode.NotFound, noRollouts.StatusCode);
        Assert.Contains("no rollout statistics", await noRollouts.Content.ReadAsStringAsync());
        // Retrievers are checked at submission with the resolver the run uses: 400 naming the field, nothing stored.
        var runsBefore = await app.Api.RunCountAsync();
        foreach (var (retriever, reason) in new[] { ("no-such-bert", "no model 'no-such-bert'"), ("/etc", "/etc"), ("demo-gpt2", "not a dense retriever") })
        {
            var refused = await app.Api.Http.PostAsJsonAsync("/api/runs", new { method = "r3-ppo", parameters = new { dataset, retriever } });
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            var problem = await refused.Content.ReadAsStringAsync();
            Assert.Contains("parameters.retriever", problem);
            Assert.Contains(reason, problem);
        }
        Assert.Equal(runsBefore, await app.Api.RunCountAsync());
        // With one type for all, and relevance from a dense retriever folder.
        TestRetrievers.CreateTiny(Path.Combine(app.ModelRoot, "tiny-bert"));
        var id = await RunAsync(new { dataset, query_types = "all_ce", retriever = "tiny-bert", max_steps = 1, batch_size = 2, mini_batch_size = 2, ppo_epochs = 1, max_new_tokens = 6, checkpoint_every = 0 }, "Succeeded");
        var share = (await app.Api.MetricsAsync(id)).Single(p => p!["name"]!.GetValue<string>() == "r3_closed_ended_share")!["value"]!.GetValue<double>();
        Assert.Equal(1.0, share);
    }
}
