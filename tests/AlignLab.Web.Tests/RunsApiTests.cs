using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using AlignLab.Testing;

namespace AlignLab.Web.Tests;

/// <summary>A smoke run's life through the API: queued, started and cancelled within two seconds, failed with its reason,
/// retried as a new run. One web app serves the class, so every test waits for its runs to end: none holds one of the job
/// server's workers when the next test times a start or a cancellation.</summary>
[Collection(PostgresCollection.Alone)]
public sealed class RunsApiTests(SharedWebApp app) : IClassFixture<SharedWebApp>
{
    private static Guid IdOf(JsonObject run) => Guid.Parse(run["id"]!.GetValue<string>());

    [Fact]
    public async Task ASmokeRunIsQueuedStartsWithinTwoSecondsAndSucceedsWithEveryPointOnce()
    {
        var created = await app.Api.CreateRunAsync(new { method = "smoke", parameters = new { steps = 30, delay_ms = 20, extra_series = 2 } });
        var clock = Stopwatch.StartNew();
        Assert.Equal("Queued", created["status"]!.GetValue<string>());
        var id = IdOf(created);

        await Eventually.GetAsync(() => app.Api.StatusAsync(id), s => s != "Queued", TimeSpan.FromSeconds(10), "the run to leave Queued", 10);
        var startLatency = clock.Elapsed;
        Assert.True(startLatency < TimeSpan.FromSeconds(2), $"started after {startLatency.TotalMilliseconds:0} ms");

        await app.Api.WaitForStatusAsync(id, "Succeeded", TimeSpan.FromSeconds(30));
        var all = await app.Api.MetricsAsync(id);
        // The worker's own measurements come beside the method's: at least at the first step.
        Assert.Contains(all, p => p!["name"]!.GetValue<string>() == "system/rss_mb" && p["step"]!.GetValue<long>() == 1 && p["value"]!.GetValue<double>() > 10);
        var metrics = all.Where(p => !p!["name"]!.GetValue<string>().StartsWith("system/", StringComparison.Ordinal)).ToList();
        var keys = metrics.Select(p => (Step: p!["step"]!.GetValue<long>(), Name: p["name"]!.GetValue<string>())).ToList();
        Assert.Equal(30 * 3, keys.Count);
        Assert.Equal(keys.Count, keys.Distinct().Count());
        Assert.Equal(Enumerable.Range(1, 30).Select(i => (long)i), keys.Where(k => k.Name == "loss").Select(k => k.Step));
        Assert.Equal(2 * Math.Exp(-0.05 * 30), metrics.Last(p => p!["name"]!.GetValue<string>() == "loss")!["value"]!.GetValue<double>(), 12);

        var run = await app.Api.GetRunAsync(id);
        Assert.Equal(30, run["step"]!.GetValue<long>());
        Assert.Equal(1.0, run["progress"]!.GetValue<double>());
        Assert.Equal(3, (await app.Api.MetricsAsync(id, afterStep: 29)).Count(p => !p!["name"]!.GetValue<string>().StartsWith("system/", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task CancellingARunningRunStopsItWithinTwoSeconds()
    {
        var id = IdOf(await app.Api.CreateRunAsync(new { method = "smoke", parameters = new { steps = 10_000, delay_ms = 50 } }));
        await app.Api.WaitForStatusAsync(id, "Running", TimeSpan.FromSeconds(10));
        await Eventually.GetAsync(async () => (await app.Api.MetricsAsync(id)).Count, n => n > 2, TimeSpan.FromSeconds(10), "some metrics");

        var clock = Stopwatch.StartNew();
        var response = await app.Api.Http.PostAsync($"/api/runs/{id}/cancel", null);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await app.Api.WaitForStatusAsync(id, "Cancelled", TimeSpan.FromSeconds(10));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"cancelled after {clock.Elapsed.TotalMilliseconds:0} ms");

        // It stopped: no new points after the status changed.
        var count = (await app.Api.MetricsAsync(id)).Count;
        await Task.Delay(300);
        Assert.Equal(count, (await app.Api.MetricsAsync(id)).Count);
        Assert.Equal(HttpStatusCode.Conflict, (await app.Api.Http.PostAsync($"/api/runs/{id}/cancel", null)).StatusCode);
        var events = JsonNode.Parse(await app.Api.Http.GetStringAsync($"/api/runs/{id}/events"))!.AsArray();
        Assert.Equal(["Queued", "Running", "Running", "Cancelled"], events.Select(e => e!["status"]!.GetValue<string>()));
        Assert.Equal("cancellation requested", events[2]!["message"]!.GetValue<string>());
        Assert.Null(events[3]!["actor"]);                  // the job's own ending: nobody's action
    }

    [Fact]
    public async Task AFailingMethodEndsTheRunFailedWithTheReason()
    {
        var id = IdOf(await app.Api.CreateRunAsync(new { method = "smoke", parameters = new { steps = 10, delay_ms = 0, fail_at_step = 3 } }));
        await app.Api.WaitForStatusAsync(id, "Failed", TimeSpan.FromSeconds(15));
        Assert.Contains("asked to fail at step 3", (await app.Api.GetRunAsync(id))["error"]!.GetValue<string>());
        Assert.Equal(2, (await app.Api.MetricsAsync(id)).Count(p => !p!["name"]!.GetValue<string>().StartsWith("system/", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task AFinishedRunIsRetriedAsANewRunWithItsSpecAndARunningOneIsNot()
    {
        var failed = IdOf(await app.Api.CreateRunAsync(new { method = "smoke", name = "flaky", queue = "cpu", parameters = new { steps = 4, delay_ms = 0, fail_at_step = 2 } }));
        await app.Api.WaitForStatusAsync(failed, "Failed", TimeSpan.FromSeconds(15));
        var retry = await app.Api.Http.PostAsync($"/api/runs/{failed}/retry", null);
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        var created = JsonNode.Parse(await retry.Content.ReadAsStringAsync())!.AsObject();
        Assert.NotEqual(failed, IdOf(created));
        Assert.Equal(("flaky (retry)", "cpu"), (created["name"]!.GetValue<string>(), created["queue"]!.GetValue<string>()));
        Assert.Equal(2, created["parameters"]!["fail_at_step"]!.GetValue<int>());
        Assert.Equal("Failed", await app.Api.StatusAsync(failed));      // the original keeps its history
        await app.Api.WaitForStatusAsync(IdOf(created), "Failed", TimeSpan.FromSeconds(15));   // the same spec fails the same way

        var running = IdOf(await app.Api.CreateRunAsync(new { method = "smoke", parameters = new { steps = 10_000, delay_ms = 50 } }));
        await app.Api.WaitForStatusAsync(running, "Running", TimeSpan.FromSeconds(15));
        var refused = await app.Api.Http.PostAsync($"/api/runs/{running}/retry", null);
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("has not finished", await refused.Content.ReadAsStringAsync());
        await app.Api.CancelAsync(running, TimeSpan.FromSeconds(10));
        Assert.Equal(HttpStatusCode.NotFound, (await app.Api.Http.PostAsync($"/api/runs/{Guid.NewGuid()}/retry", null)).StatusCode);
    }
}
