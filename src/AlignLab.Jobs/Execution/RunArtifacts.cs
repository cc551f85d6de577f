namespace AlignLab.Jobs.Execution;

/// <summary>Where a run's files live under the artifact root: runs/{id}/checkpoints, runs/{id}/export, ….</summary>
public sealed class RunArtifacts(string root)
{
    public string Root { get; } = root;

    public string RunDirectory(Guid runId) => Path.Combine(Root, "runs", runId.ToString("D"));

    public string CheckpointsOf(Guid runId) => Path.Combine(RunDirectory(runId), "checkpoints");

    /// <summary>A file of a run's folder: its path inside it ("/"-separated), size and last write.</summary>
    public sealed record File(string Path, long Bytes, DateTimeOffset ModifiedAt);

    /// <summary>Every file of a run's folder, by path; none when the run wrote nothing yet.</summary>
    public IReadOnlyList<File> Files(Guid runId)
    {
        var folder = RunDirectory(runId);
        if (!Directory.Exists(folder)) return [];
        return [.. Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Select(f => new FileInfo(f))
            .Select(f => new File(Path.GetRelativePath(folder, f.FullName).Replace('\\', '/'), f.Length, f.LastWriteTimeUtc))
            .OrderBy(f => f.Path, StringComparer.Ordinal)];
    }
}
