using System.Text.Json.Nodes;
using AlignLab.Core.Checkpoints;
using AlignLab.Core.Methods;
using AlignLab.Core.Methods.Smoke;
using AlignLab.Core.Metrics;
using AlignLab.Core.Runs;

namespace AlignLab.Core.Tests;

public class SmokeMethodTests
{
    private sealed class RecordingSink : IMetricsSink
    {
        public List<(long Step, string Name, double Value)> Points { get; } = [];
        public (long Step, long Total) Progress { get; private set; }
        public void Report(long step, string name, double value) => Points.Add((step, name, value));
        public void ReportProgress(long step, long totalSteps) => Progress = (step, totalSteps);
    }

    private sealed class MemoryCheckpoints(string root) : ICheckpointStore
    {
        public List<Checkpoint> Saved { get; } = [];
        public Checkpoint? Latest() => Saved.LastOrDefault();

        public async Task<Checkpoint> SaveAsync(long step, Func<string, Task> write, CancellationToken cancellationToken = default)
        {
            var dir = Path.Combine(root, $"step-{step}");
            Directory.CreateDirectory(dir);
            await write(dir);
            var checkpoint = new Checkpoint(step, dir);
            Saved.Add(checkpoint);
            return checkpoint;
        }
    }

    private sealed record Context(Guid RunId, RunSpec Spec, MethodParameters Parameters, IMetricsSink Metrics,
        ICheckpointStore Checkpoints, CancellationToken CancellationToken) : IRunContext
    {
        public string ArtifactDirectory => Path.GetTempPath();
    }

    private static Context ContextFor(string parameters, IMetricsSink sink, ICheckpointStore checkpoints, CancellationToken token = default)
    {
        var spec = new RunRequestValidator(new MethodCatalog([new SmokeMethod()]))
            .Validate(JsonNode.Parse($$"""{"method":"smoke","parameters":{{parameters}}}""")).Spec!;
        return new Context(Guid.NewGuid(), spec, new MethodParameters(spec.Parameters), sink, checkpoints, token);
    }

    private static string TempDir() => Directory.CreateTempSubdirectory("smoke-").FullName;

    [Fact]
    public async Task ReportsTheDecayingLossAtEveryStep()
    {
        var sink = new RecordingSink();
        await new SmokeMethod().RunAsync(ContextFor("""{"steps":3,"delay_ms":0,"initial_loss":2,"decay":0.5}""", sink, new MemoryCheckpoints(TempDir())));

        // loss_t = 2·e^(−0.5 t): 1.2131, 0.7358, 0.4463
        Assert.Equal([1L, 2L, 3L], sink.Points.Select(p => p.Step));
        Assert.Equal(2 * Math.Exp(-0.5), sink.Points[0].Value, 12);
        Assert.Equal(2 * Math.Exp(-1.0), sink.Points[1].Value, 12);
        Assert.Equal(2 * Math.Exp(-1.5), sink.Points[2].Value, 12);
        Assert.Equal((3L, 3L), sink.Progress);
    }

    [Fact]
    public async Task ExtraSeriesAreScaledCopies()
    {
        var sink = new RecordingSink();
        await new SmokeMethod().RunAsync(ContextFor("""{"steps":1,"delay_ms":0,"extra_series":2}""", sink, new MemoryCheckpoints(TempDir())));
        var loss = sink.Points.Single(p => p.Name == "loss").Value;
        Assert.Equal(2 * loss, sink.Points.Single(p => p.Name == "series_2").Value, 12);
    }

    [Fact]
    public async Task ResumesAfterTheLatestCheckpoint()
    {
        var checkpoints = new MemoryCheckpoints(TempDir());
        await new SmokeMethod().RunAsync(ContextFor("""{"steps":4,"delay_ms":0,"checkpoint_every":2}""", new RecordingSink(), checkpoints));
        Assert.Equal([2L, 4L], checkpoints.Saved.Select(c => c.Step));

        // A retry of a longer run picks up after step 4.
        var sink = new RecordingSink();
        await new SmokeMethod().RunAsync(ContextFor("""{"steps":6,"delay_ms":0,"checkpoint_every":2}""", sink, checkpoints));
        Assert.Equal([5L, 6L], sink.Points.Select(p => p.Step));
    }

    [Fact]
    public async Task ACorruptCheckpointFailsWithItsPath()
    {
        var checkpoints = new MemoryCheckpoints(TempDir());
        await checkpoints.SaveAsync(3, dir => File.WriteAllTextAsync(Path.Combine(dir, "state.json"), "{not json"));

        var error = await Assert.ThrowsAsync<InvalidDataException>(() =>
            new SmokeMethod().RunAsync(ContextFor("""{"steps":5,"delay_ms":0}""", new RecordingSink(), checkpoints)));
        Assert.Contains("checkpoint at step 3 is unreadable", error.Message);
    }

    [Fact]
    public async Task CancellationSavesACheckpointAndStops()
    {
        using var cancel = new CancellationTokenSource();
        var sink = new RecordingSink();
        var checkpoints = new MemoryCheckpoints(TempDir());
        var run = new SmokeMethod().RunAsync(ContextFor("""{"steps":1000,"delay_ms":20,"checkpoint_every":0}""", sink, checkpoints, cancel.Token));
        await Task.Delay(150);
        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        var saved = Assert.Single(checkpoints.Saved);
        Assert.Equal(sink.Points.Max(p => p.Step), saved.Step);
        Assert.True(saved.Step < 1000);
    }

    [Fact]
    public async Task FailAtStepThrows()
    {
        var sink = new RecordingSink();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            new SmokeMethod().RunAsync(ContextFor("""{"steps":10,"delay_ms":0,"fail_at_step":4}""", sink, new MemoryCheckpoints(TempDir()))));
        Assert.Contains("step 4", error.Message);
        Assert.Equal(3, sink.Points.Count);
    }

    [Fact]
    public async Task FailWithOutOfMemoryThrowsAnAllocationFailure()
    {
        var sink = new RecordingSink();
        var error = await Assert.ThrowsAsync<OutOfMemoryException>(() =>
            new SmokeMethod().RunAsync(ContextFor("""{"steps":10,"delay_ms":0,"fail_at_step":2,"fail_with":"out_of_memory"}""", sink, new MemoryCheckpoints(TempDir()))));
        Assert.True(AlignLab.Core.Runs.OutOfMemory.Is(error));
        Assert.Contains("step 2", error.Message);
        Assert.Single(sink.Points);
    }
}
