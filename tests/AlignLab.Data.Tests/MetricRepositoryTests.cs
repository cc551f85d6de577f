using AlignLab.Core.Metrics;
using AlignLab.Data.Metrics;
using AlignLab.Data.Notifications;
using AlignLab.Testing;

namespace AlignLab.Data.Tests;

[Collection(PostgresCollection.Name)]
public sealed class MetricRepositoryTests(PostgresFixture postgres) : RepositoryTestBase(postgres)
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static List<MetricPoint> Points(int fromStep, int toStep, params string[] names) =>
        [.. from step in Enumerable.Range(fromStep, toStep - fromStep + 1)
            from name in names
            select new MetricPoint(step, name, step * 0.5, T0.AddSeconds(step))];

    [Fact]
    public async Task ABatchWrittenTwiceIsStoredOnce()
    {
        var run = await NewRunAsync();
        Assert.Equal(10, await Metrics.WriteBatchAsync(run, Points(1, 5, "loss", "kl"), null));
        Assert.Equal(0, await Metrics.WriteBatchAsync(run, Points(1, 5, "loss", "kl"), null));
        Assert.Equal(1, await Metrics.WriteBatchAsync(run, Points(5, 6, "loss"), null));

        var stored = await Metrics.ListAsync(run);
        Assert.Equal(11, stored.Count);
        Assert.Equal(stored.Count, stored.Select(p => (p.Step, p.Name)).Distinct().Count());
        Assert.Equal([1L, 1L, 2L, 2L], stored.Take(4).Select(p => p.Step));
        Assert.Equal(2.5, stored.Single(p => p is { Step: 5, Name: "loss" }).Value);
        Assert.Equal(T0.AddSeconds(6), stored.Single(p => p.Step == 6).Time);
    }

    [Fact]
    public async Task ListFiltersByStepAndName()
    {
        var run = await NewRunAsync();
        await Metrics.WriteBatchAsync(run, Points(1, 5, "loss", "kl"), null);
        Assert.Equal([4L, 5L], (await Metrics.ListAsync(run, afterStep: 3, name: "kl")).Select(p => p.Step));
    }

    [Fact]
    public async Task ListenersAreToldExactlyTheNewPoints()
    {
        var run = await NewRunAsync();
        await Metrics.WriteBatchAsync(run, Points(1, 2, "loss"), null);
        await using var listener = await ListenAsync(Channels.Metrics);

        await Metrics.WriteBatchAsync(run, Points(1, 4, "loss"), null);
        await Metrics.WriteBatchAsync(run, Points(1, 4, "loss"), null);

        var payload = Assert.Single(await listener.DrainAsync());
        var notification = MetricsNotification.Parse(payload);
        Assert.Equal(run, notification.RunId);
        Assert.Equal([3L, 4L], notification.Points.Select(p => p.Step));
        Assert.Equal(2.0, notification.Points[1].Value);
    }

    [Fact]
    public async Task ALargeBatchIsSplitIntoPayloadsPostgresAccepts()
    {
        var run = await NewRunAsync();
        await using var listener = await ListenAsync(Channels.Metrics);
        var points = Points(1, 1000, "loss", "policy_loss", "value_loss");

        await Metrics.WriteBatchAsync(run, points, null);

        var payloads = await listener.DrainAsync();
        Assert.True(payloads.Count > 1);
        Assert.All(payloads, p => Assert.True(System.Text.Encoding.UTF8.GetByteCount(p) < 8000));
        var received = payloads.SelectMany(p => MetricsNotification.Parse(p).Points).ToList();
        Assert.Equal(3000, received.Count);
        Assert.Equal(points.Select(p => (p.Step, p.Name)).Order(), received.Select(p => (p.Step, p.Name)).Order());
    }

    [Fact]
    public async Task NonFiniteValuesSurviveTheRoundTrip()
    {
        var run = await NewRunAsync();
        await using var listener = await ListenAsync(Channels.Metrics);
        await Metrics.WriteBatchAsync(run, [new MetricPoint(1, "loss", double.NaN, T0), new MetricPoint(2, "loss", double.PositiveInfinity, T0)], null);

        var received = MetricsNotification.Parse(Assert.Single(await listener.DrainAsync())).Points;
        Assert.True(double.IsNaN(received[0].Value));
        Assert.Equal(double.PositiveInfinity, received[1].Value);
        Assert.True(double.IsNaN((await Metrics.ListAsync(run))[0].Value));
    }

    [Fact]
    public async Task ProgressIsRecordedOnlyForARunningRun()
    {
        var run = await NewRunAsync();
        await Metrics.WriteBatchAsync(run, [], new Progress(2, 10));
        Assert.Equal(0, (await Runs.GetAsync(run))!.Step);

        await Runs.TryStartAsync(run);
        await using var listener = await ListenAsync(Channels.Runs);
        await Metrics.WriteBatchAsync(run, [], new Progress(2, 10));

        var stored = (await Runs.GetAsync(run))!;
        Assert.Equal((2L, 10L), (stored.Step, stored.TotalSteps));
        var status = RunNotification.Parse(Assert.Single(await listener.DrainAsync()));
        Assert.Equal((2L, 10L), (status.Step, status.TotalSteps));
    }
}
