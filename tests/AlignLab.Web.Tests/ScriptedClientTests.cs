using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using AlignLab.Client;
using AlignLab.Testing;

namespace AlignLab.Web.Tests;

/// <summary>A script's whole path through the typed client, with a researcher's API key: upload SPA pairs, schedule
/// FIGA on them, follow its metrics over the hub until it succeeds, download the exported model. One web app serves the
/// class: the two tests make users of their own, and the reviewer's list of runs is held to the admin's count.</summary>
[Collection(PostgresCollection.First)]
public sealed class ScriptedClientTests(SharedWebApp app) : IClassFixture<SharedWebApp>
{
    private static string Record(string country, string wrong, string right) =>
        $$"""{"instruction":"What is the capital of {{country}}?","input":"","output":"The capital of {{country}} is {{right}}.","original_output":"The capital of {{country}} is {{wrong}}.","revised_output":"The capital of {{country}} is {{right}}."}""";

    private async Task<AlignLabClient> ResearcherClientAsync()
    {
        (await app.Api.Http.PostAsJsonAsync("/api/users", new { name = "script", password = "a-long-password", role = "researcher" })).EnsureSuccessStatusCode();
        var key = await app.Api.Http.PostAsJsonAsync("/api/keys", new { name = "ci", user = "script" });
        key.EnsureSuccessStatusCode();
        return new AlignLabClient(new Uri(app.BaseAddress), JsonNode.Parse(await key.Content.ReadAsStringAsync())!["key"]!.GetValue<string>());
    }

    [Fact]
    public async Task AScriptUploadsSpaPairsTrainsFigaWatchesItOverTheHubAndDownloadsTheModel()
    {
        (await app.Api.Http.PostAsync("/api/models/demo", null)).EnsureSuccessStatusCode();
        await using var client = await ResearcherClientAsync();

        var file = string.Join('\n', Enumerable.Range(0, 30).Select(i => i % 2 == 0 ? Record("Japan", "Rome", "Tokyo") : Record("Peru", "Oslo", "Lima")));
        var upload = await client.UploadDatasetAsync("spa", new MemoryStream(Encoding.UTF8.GetBytes(file)), "capitals");
        Assert.Equal(30, upload.Dataset.ExampleCount);

        // An invalid spec is refused with the field named, before anything runs.
        var refused = await Assert.ThrowsAsync<AlignLabApiException>(() => client.CreateRunAsync(new RunRequest("figa",
            new Dictionary<string, object?> { ["dataset"] = upload.Dataset.Id, ["learning_rate"] = -1 })));
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Contains("parameters.learning_rate", refused.Errors.Keys);

        var run = await client.CreateRunAsync(new RunRequest("figa", new Dictionary<string, object?>
        {
            ["dataset"] = upload.Dataset.Id, ["max_steps"] = 6, ["batch_size"] = 4, ["grad_accum"] = 1,
            ["eval_every"] = 0, ["eval_fraction"] = 0.1, ["checkpoint_every"] = 0,
        }, Name: "scripted figa"));
        Assert.Equal("Queued", run.Status);

        var loss = new List<long>();
        var statuses = new List<string>();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await foreach (var e in client.WatchAsync(run.Id, deadline.Token))
        {
            if (e is MetricsEvent metrics) loss.AddRange(metrics.Points.Where(p => p.Name == "loss").Select(p => p.Step));
            if (e is StatusEvent status) statuses.Add(status.Status);
        }
        Assert.Equal("Succeeded", statuses[^1]);
        Assert.Equal([1, 2, 3, 4, 5, 6], loss.Order());
        Assert.Equal(loss.Count, loss.Distinct().Count());

        var target = Directory.CreateTempSubdirectory("alignlab-downloaded-model-").FullName;
        var files = await client.DownloadFolderAsync(run.Id, "export", target);
        var export = Path.Combine(app.ArtifactRoot, "runs", run.Id.ToString(), "export");
        Assert.Equal(Directory.GetFiles(export).Select(Path.GetFileName).Order(), files.Select(Path.GetFileName).Order());
        foreach (var name in new[] { "config.json", "model.safetensors" })
            Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(export, name)), await File.ReadAllBytesAsync(Path.Combine(target, name)));
    }

    [Fact]
    public async Task AReviewersKeyCannotLaunchAndTheClientSaysWhy()
    {
        (await app.Api.Http.PostAsJsonAsync("/api/users", new { name = "reader", password = "a-long-password", role = "reviewer" })).EnsureSuccessStatusCode();
        var key = await app.Api.Http.PostAsJsonAsync("/api/keys", new { name = "ro", user = "reader" });
        await using var client = new AlignLabClient(new Uri(app.BaseAddress), JsonNode.Parse(await key.Content.ReadAsStringAsync())!["key"]!.GetValue<string>());
        Assert.Equal(await app.Api.RunCountAsync(), (await client.ListRunsAsync()).Total);     // a reviewer reads every run
        var refused = await Assert.ThrowsAsync<AlignLabApiException>(() => client.CreateRunAsync(new RunRequest("smoke")));
        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.Contains("reviewer", refused.Detail);
    }
}
