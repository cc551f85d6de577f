using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using AlignLab.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace AlignLab.Web.Tests;

[Collection(PostgresCollection.Alone)]
public sealed class RunsHubTests(PostgresFixture postgres) : WebAppTestBase(postgres)
{
    public sealed record Point(long Step, string Name, double Value, DateTimeOffset Time);
    public sealed record StatusMessage(Guid RunId, string Status, long Step, long TotalSteps, string? Error);

    [Fact]
    public async Task AnExternalClientReceivesEveryPointAndTheStatusChangesOfARun()
    {
        await using var hub = new HubConnectionBuilder()
            .WithUrl($"{BaseAddress}/hubs/runs", o => o.AccessTokenProvider = () => Task.FromResult<string?>(Web.Admin.ApiKey))
            .AddJsonProtocol(o => o.PayloadSerializerOptions = AlignLabApi.Json)
            .Build();
        var points = new ConcurrentBag<(Point Point, DateTimeOffset Received)>();
        var statuses = new ConcurrentQueue<string>();
        hub.On<Guid, Point[]>("metrics", (_, batch) =>
        {
            var now = DateTimeOffset.UtcNow;
            foreach (var p in batch) points.Add((p, now));
        });
        hub.On<StatusMessage>("status", s => statuses.Enqueue(s.Status));
        await hub.StartAsync();

        // Create queued (no server picks it in the instant before we subscribe? it may): subscribe, then read
        // what was stored before the subscription took effect, like any client that joins late.
        var run = await Api.CreateRunAsync(new { method = "smoke", parameters = new { steps = 40, delay_ms = 25, extra_series = 1 } });
        var id = Guid.Parse(run["id"]!.GetValue<string>());
        await hub.InvokeAsync("Subscribe", id);
        var before = (await Api.MetricsAsync(id)).Select(p => (p!["step"]!.GetValue<long>(), p["name"]!.GetValue<string>())).ToHashSet();

        await Api.WaitForStatusAsync(id, "Succeeded", TimeSpan.FromSeconds(30));
        await Eventually.GetAsync(() => Task.FromResult(statuses.Contains("Succeeded")), ok => ok, TimeSpan.FromSeconds(5), "the Succeeded status message");

        var received = points.Select(p => (p.Point.Step, p.Point.Name)).ToList();
        Assert.Equal(received.Count, received.Distinct().Count());
        // Every stored point arrived live or was there before the subscription: the smoke run's 80, and the worker's
        // system/ measurements beside them.
        var stored = (await Api.MetricsAsync(id)).Select(p => (p!["step"]!.GetValue<long>(), p["name"]!.GetValue<string>())).ToHashSet();
        Assert.Equal(80, stored.Count(p => !p.Item2.StartsWith("system/", StringComparison.Ordinal)));
        Assert.True(stored.SetEquals(received.Union(before)), $"{stored.Count} stored, {received.Union(before).Count()} received or there before");
        Assert.True(received.Count >= 40, $"only {received.Count} points arrived live");

        var latencies = points.Select(p => (p.Received - p.Point.Time).TotalMilliseconds).Order().ToList();
        Console.WriteLine($"hub latency: p50 {latencies[latencies.Count / 2]:0} ms, max {latencies[^1]:0} ms over {latencies.Count} points");
    }
}
