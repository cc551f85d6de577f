using System.Text.Json;
using AlignLab.Core.Methods;

namespace AlignLab.Core.Methods.Smoke;

/// <summary>A loop that reports a decaying loss. It exercises exactly the path real methods take —
/// parameters, metrics, progress, checkpoints, resume, cancellation — without a model, so the platform
/// can be tested end to end in seconds.</summary>
public sealed class SmokeMethod : ITrainingMethod
{
    public const string Name = "smoke";
    private const string StateFile = "state.json";

    public MethodDescriptor Descriptor { get; } = new(
        Name,
        "Smoke test",
        "Reports loss = initial_loss · exp(−decay · step) for a number of steps; no model. Checks the platform end to end.",
        "default",
        [
            ParameterSpec.Integer("steps", 100, 1, 1_000_000, "Number of steps to run."),
            ParameterSpec.Integer("delay_ms", 50, 0, 60_000, "Wall-clock pause per step, in milliseconds."),
            ParameterSpec.Number("initial_loss", 2.0, 1e-6, 1e6, "Loss reported at step 0."),
            ParameterSpec.Number("decay", 0.05, 0, 10, "Exponential decay rate of the loss per step."),
            ParameterSpec.Integer("extra_series", 0, 0, 100, "Additional metric series per step (load testing the metrics path)."),
            ParameterSpec.Integer("checkpoint_every", 10, 0, 1_000_000, "Save a checkpoint every N steps (0: only on cancel)."),
            ParameterSpec.Integer("fail_at_step", 0, 0, 1_000_000, "Throw an error at this step (0: never); tests the Failed path."),
            ParameterSpec.Choice("fail_with", FailWithError, [FailWithError, FailWithOutOfMemory],
                "What fail_at_step throws: an error, or an allocation failure (tests that a run out of memory fails alone and its worker goes on)."),
        ]);

    public const string FailWithError = "error";
    public const string FailWithOutOfMemory = "out_of_memory";

    public async Task RunAsync(IRunContext context)
    {
        var p = context.Parameters;
        long steps = p.GetInt64("steps");
        var delay = TimeSpan.FromMilliseconds(p.GetInt64("delay_ms"));
        double initialLoss = p.GetDouble("initial_loss"), decay = p.GetDouble("decay");
        int extraSeries = p.GetInt32("extra_series");
        long checkpointEvery = p.GetInt64("checkpoint_every"), failAt = p.GetInt64("fail_at_step");
        var outOfMemory = p.GetString("fail_with") == FailWithOutOfMemory;

        long done = await ResumeStepAsync(context);
        context.Metrics.ReportProgress(done, steps);
        for (long step = done + 1; step <= steps; step++)
        {
            if (context.CancellationToken.IsCancellationRequested)
            {
                await SaveAsync(context, step - 1);
                context.CancellationToken.ThrowIfCancellationRequested();
            }
            if (step == failAt)
                throw outOfMemory
                    ? new OutOfMemoryException($"smoke run asked to run out of memory at step {step} (a simulated allocation failure)")
                    : new InvalidOperationException($"smoke run asked to fail at step {step}");

            double loss = initialLoss * Math.Exp(-decay * step);
            context.Metrics.Report(step, "loss", loss);
            for (int s = 1; s <= extraSeries; s++)
                context.Metrics.Report(step, $"series_{s}", loss * s);
            context.Metrics.ReportProgress(step, steps);

            if (checkpointEvery > 0 && step % checkpointEvery == 0) await SaveAsync(context, step);
            if (delay > TimeSpan.Zero)
            {
                try { await Task.Delay(delay, context.CancellationToken); }
                catch (OperationCanceledException)
                {
                    await SaveAsync(context, step);
                    throw;
                }
            }
        }
    }

    private static async Task<long> ResumeStepAsync(IRunContext context)
    {
        var latest = context.Checkpoints.Latest();
        if (latest is null) return 0;
        var path = Path.Combine(latest.Directory, StateFile);
        try
        {
            await using var stream = File.OpenRead(path);
            var state = await JsonSerializer.DeserializeAsync<SmokeState>(stream);
            if (state is null || state.Step != latest.Step) throw new InvalidDataException("step does not match the checkpoint");
            return state.Step;
        }
        catch (Exception e) when (e is IOException or JsonException or InvalidDataException)
        {
            throw new InvalidDataException($"checkpoint at step {latest.Step} is unreadable ({path}): {e.Message}", e);
        }
    }

    private static Task SaveAsync(IRunContext context, long step) =>
        context.Checkpoints.SaveAsync(step, dir =>
            File.WriteAllTextAsync(Path.Combine(dir, StateFile), JsonSerializer.Serialize(new SmokeState(step))));

    private sealed record SmokeState(long Step);
}
