using AlignLab.Jobs.Execution;
using AlignLab.Training.Methods.Ppo;

namespace AlignLab.Web.Runs;

/// <summary>A PPO run's sample generations (samples.jsonl: a few rollouts every sample_every steps), as the run page
/// and GET /api/runs/{id}/samples show them.</summary>
public sealed class RunSamples(RunArtifacts artifacts)
{
    public sealed record Sample(long Step, string Prompt, string Input, string Response, double Reward);

    /// <summary>Samples after <paramref name="afterStep"/> (all when null), newest step first, at most <paramref name="limit"/>.</summary>
    public IReadOnlyList<Sample> Read(Guid runId, long? afterStep = null, int limit = 100) =>
        [.. StepLog.Read<Sample>(Path.Combine(artifacts.RunDirectory(runId), PpoTrainer.SamplesFile))
            .Where(s => afterStep is null || s.Step > afterStep)
            .Reverse()
            .Take(limit)];
}
