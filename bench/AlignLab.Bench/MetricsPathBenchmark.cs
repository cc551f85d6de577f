using System.Diagnostics;
using AlignLab.Core.Metrics;
using AlignLab.Data.Embedded;
using AlignLab.Data.Metrics;
using AlignLab.Data.Migrations;
using AlignLab.Data.Notifications;
using AlignLab.Jobs.Metrics;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace AlignLab.Bench;

/// <summary>The metrics path worker → PostgreSQL (insert + NOTIFY) → listener, on a private cluster:
/// (1) the most points per second batched writes sustain; (2) at a steady 1,000 points/s through the
/// job's MetricsBuffer, the delay from Report() to the listener receiving the point.</summary>
public static class MetricsPathBenchmark
{
    public static async Task RunAsync()
    {
        var root = Path.Combine(Path.GetTempPath(), $"alignlab-bench-{Guid.NewGuid():N}");
        await using var cluster = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { Root = root, Database = "bench" }, NullLogger.Instance);
        var connectionString = cluster.ConnectionString("bench");
        await DatabaseMigrator.MigrateAsync(connectionString, NullLogger.Instance);
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var repository = new MetricRepository(dataSource);

        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");
        await MaxThroughputAsync(dataSource, repository);
        await SteadyLatencyAsync(dataSource, repository, pointsPerSecond: 1000, seconds: 10);
        Directory.Delete(root, recursive: true);
    }

    private static async Task<Guid> NewRunAsync(NpgsqlDataSource dataSource)
    {
        var id = Guid.NewGuid();
        await using var connection = await dataSource.OpenConnectionAsync();
        await connection.ExecuteAsync(
            "INSERT INTO runs (id, name, method, queue, spec, status) VALUES (@id, 'bench', 'smoke', 'default', '{}', 'Running')", new { id });
        return id;
    }

    private static async Task MaxThroughputAsync(NpgsqlDataSource dataSource, MetricRepository repository)
    {
        foreach (var batchSize in new[] { 100, 1000 })
        {
            var run = await NewRunAsync(dataSource);
            const int total = 100_000;
            var clock = Stopwatch.StartNew();
            for (int start = 0; start < total; start += batchSize)
            {
                var batch = Enumerable.Range(start, batchSize)
                    .Select(i => new MetricPoint(i / 4, $"m{i % 4}", i, DateTimeOffset.UtcNow)).ToList();
                await repository.WriteBatchAsync(run, batch, new Progress(start, total));
            }
            Console.WriteLine($"batched write+notify, batch {batchSize}: {total / clock.Elapsed.TotalSeconds:N0} points/s");
        }
    }

    private static async Task SteadyLatencyAsync(NpgsqlDataSource dataSource, MetricRepository repository, int pointsPerSecond, int seconds)
    {
        var run = await NewRunAsync(dataSource);
        var latencies = new List<double>();
        using var stop = new CancellationTokenSource();
        var listener = new PgListener(dataSource, [Channels.Metrics], (_, payload) =>
        {
            var now = DateTimeOffset.UtcNow;
            var notification = MetricsNotification.Parse(payload);
            lock (latencies)
                foreach (var p in notification.Points) latencies.Add((now - p.Time).TotalMilliseconds);
        }, NullLogger.Instance);
        var listening = listener.RunAsync(stop.Token);
        await Task.Delay(500);

        var buffer = new MetricsBuffer(run, repository, TimeSpan.FromMilliseconds(100), 1_000_000, NullLogger.Instance);
        var total = pointsPerSecond * seconds;
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < total; i++)
        {
            // Report at the target rate, in 10 ms slices as a training loop's steps would.
            if (i % (pointsPerSecond / 100) == 0)
            {
                var due = TimeSpan.FromSeconds((double)i / pointsPerSecond);
                if (due > clock.Elapsed) await Task.Delay(due - clock.Elapsed);
            }
            buffer.Report(i / 4, $"m{i % 4}", i);
        }
        await buffer.DisposeAsync();
        await Task.Delay(1000);
        stop.Cancel();
        await listening;

        lock (latencies)
        {
            latencies.Sort();
            double P(double q) => latencies[(int)Math.Min(latencies.Count - 1, q * latencies.Count)];
            Console.WriteLine($"steady {pointsPerSecond} points/s for {seconds} s: received {latencies.Count}/{total}; " +
                              $"report→listener latency p50 {P(0.5):0} ms, p95 {P(0.95):0} ms, p99 {P(0.99):0} ms, max {latencies[^1]:0} ms");
        }
    }
}
