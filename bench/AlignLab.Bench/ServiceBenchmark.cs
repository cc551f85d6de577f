using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace AlignLab.Bench;

/// <summary>The running platform as its users feel it, against a web app on loopback (embedded default, in-process
/// worker): job start latency (created → started, server timestamps), metrics fan-out to 50 SignalR clients watching
/// 5 concurrent runs (point stamped at Report → client receipt), and GET /api/runs under concurrent load. It acts with
/// the API key in ALIGNLAB_KEY, or sets up the first admin of a fresh app (from loopback) and uses its key.</summary>
public static class ServiceBenchmark
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private sealed record Point(long Step, string Name, double Value, DateTimeOffset Time);

    public static async Task RunAsync(string[] args)
    {
        var baseUrl = args.FirstOrDefault() ?? "http://127.0.0.1:5080";
        using var http = new HttpClient { BaseAddress = new Uri(baseUrl) };
        _key = Environment.GetEnvironmentVariable("ALIGNLAB_KEY") ?? await SetUpAsync(http);
        http.DefaultRequestHeaders.Authorization = new("Bearer", _key);
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; target {baseUrl}");
        await JobStartLatencyAsync(http, runs: 30);
        await FanOutAsync(http, baseUrl, clients: 50, concurrentRuns: 5);
        await RestLoadAsync(http, concurrency: 16, seconds: 10);
    }

    private static string _key = "";

    private static async Task<string> SetUpAsync(HttpClient http)
    {
        var response = await http.PostAsJsonAsync("/api/setup", new { name = "bench", password = "bench-" + Guid.NewGuid().ToString("N") });
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"set-up refused ({(int)response.StatusCode}): the app has accounts; set ALIGNLAB_KEY to an admin's or researcher's key");
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!["apiKey"]!["key"]!.GetValue<string>();
    }

    private static async Task<Guid> CreateAsync(HttpClient http, object parameters)
    {
        var response = await http.PostAsJsonAsync("/api/runs", new { method = "smoke", name = "bench", parameters });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>();
    }

    private static async Task<JsonObject> WaitAsync(HttpClient http, Guid id, string status)
    {
        for (var clock = Stopwatch.StartNew(); clock.Elapsed < TimeSpan.FromMinutes(2); await Task.Delay(20))
        {
            var run = (await http.GetFromJsonAsync<JsonObject>($"/api/runs/{id}"))!;
            if (run["status"]!.GetValue<string>() == status) return run;
        }
        throw new TimeoutException($"run {id} did not reach {status}");
    }

    private static string Percentiles(List<double> values) =>
        $"p50 {At(values, 0.5):0.0} ms, p95 {At(values, 0.95):0.0} ms, p99 {At(values, 0.99):0.0} ms, max {values.Max():0.0} ms (n = {values.Count})";

    private static double At(List<double> sorted, double p) => sorted.Order().ElementAt(Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1));

    /// <summary>Enqueue → Running, one run at a time on an idle worker: the runs' createdAt and startedAt.</summary>
    private static async Task JobStartLatencyAsync(HttpClient http, int runs)
    {
        var latencies = new List<double>();
        for (int i = 0; i < runs; i++)
        {
            var id = await CreateAsync(http, new { steps = 1, delay_ms = 0, checkpoint_every = 0 });
            var run = await WaitAsync(http, id, "Succeeded");
            latencies.Add((run["startedAt"]!.GetValue<DateTimeOffset>() - run["createdAt"]!.GetValue<DateTimeOffset>()).TotalMilliseconds);
        }
        Console.WriteLine($"job start latency (created → started): {Percentiles(latencies)}");
    }

    /// <summary>50 hub clients, each subscribed to all of 5 concurrent smoke runs (20 points/s each).</summary>
    private static async Task FanOutAsync(HttpClient http, string baseUrl, int clients, int concurrentRuns)
    {
        var received = new ConcurrentBag<double>();
        var hubs = new List<HubConnection>();
        for (int c = 0; c < clients; c++)
        {
            var hub = new HubConnectionBuilder().WithUrl($"{baseUrl}/hubs/runs", o => o.AccessTokenProvider = () => Task.FromResult<string?>(_key)).AddJsonProtocol(o => o.PayloadSerializerOptions = Json).Build();
            hub.On<Guid, Point[]>("metrics", (_, batch) =>
            {
                var now = DateTimeOffset.UtcNow;
                foreach (var p in batch) received.Add((now - p.Time).TotalMilliseconds);
            });
            await hub.StartAsync();
            hubs.Add(hub);
        }
        var ids = new List<Guid>();
        for (int r = 0; r < concurrentRuns; r++) ids.Add(await CreateAsync(http, new { steps = 200, delay_ms = 50, checkpoint_every = 0 }));
        foreach (var hub in hubs)
            foreach (var id in ids) await hub.InvokeAsync("Subscribe", id);
        foreach (var id in ids) await WaitAsync(http, id, "Succeeded");
        await Task.Delay(500);
        foreach (var hub in hubs) await hub.DisposeAsync();
        var latencies = received.ToList();
        Console.WriteLine($"fan-out to {clients} hub clients × {concurrentRuns} concurrent runs, report → client: {Percentiles(latencies)}");
    }

    /// <summary>GET /api/runs?pageSize=25 from <paramref name="concurrency"/> clients for a fixed time.</summary>
    private static async Task RestLoadAsync(HttpClient http, int concurrency, int seconds)
    {
        var latencies = new ConcurrentBag<double>();
        var until = DateTime.UtcNow.AddSeconds(seconds);
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (DateTime.UtcNow < until)
            {
                var clock = Stopwatch.StartNew();
                using var response = await http.GetAsync("/api/runs?pageSize=25");
                await response.Content.ReadAsByteArrayAsync();
                response.EnsureSuccessStatusCode();
                latencies.Add(clock.Elapsed.TotalMilliseconds);
            }
        }));
        var all = latencies.ToList();
        Console.WriteLine($"GET /api/runs?pageSize=25, {concurrency} concurrent clients for {seconds} s: {all.Count / (double)seconds:N0} requests/s, {Percentiles(all)}");
    }
}
