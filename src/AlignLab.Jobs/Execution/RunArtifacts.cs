namespace AlignLab.Jobs.Execution;

/// <summary>Where a run's files live under the artifact root: runs/{id}/checkpoints, runs/{id}/export, ….</summary>
public sealed class RunArtifacts(string root)
{
    public string Root { get; } = root;

    public string RunDirectory(Guid runId) => Path.Combine(Root, "runs", runId.ToString("D"));

    public string CheckpointsOf(Guid runId) => Path.Combine(RunDirectory(runId), "checkpoints");
}
