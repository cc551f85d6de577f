using AlignLab.Core.Ppo;
using AlignLab.Core.Runs;
using AlignLab.Jobs.Execution;

namespace AlignLab.Web.Runs;

/// <summary>A PPO run's sample generations (samples.jsonl: a few rollouts every sample_every steps), as the run page
/// and GET /api/runs/{id}/samples show them.</summary>
public sealed class RunSamples(RunArtifacts artifacts)
{
    /// <summary>Samples after <paramref name="afterStep"/> (all when null), newest step first, at most <paramref name="limit"/>.</summary>
    public IReadOnlyList<GenerationSample> Read(Guid runId, long? afterStep = null, int limit = 100) =>
        [.. StepLog.Read<GenerationSample>(Path.Combine(artifacts.RunDirectory(runId), PpoArtifacts.SamplesFile))
            .Where(s => afterStep is null || s.Step > afterStep)
            .Reverse()
            .Take(limit)];
}
