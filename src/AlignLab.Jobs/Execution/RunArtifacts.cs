namespace AlignLab.Jobs.Execution;

/// <summary>Where a run's files live under the artifact root: runs/{id}/checkpoints, runs/{id}/export, ….</summary>
public sealed class RunArtifacts(string root)
{
    public string Root { get; } = root;

    public string RunDirectory(Guid runId) => Path.Combine(Root, "runs", runId.ToString("D"));

    public string CheckpointsOf(Guid runId) => Path.Combine(RunDirectory(runId), "checkpoints");

    /// <summary>A file of a run's folder: its path inside it ("/"-separated), size and last write.</summary>
    public sealed record File(string Path, long Bytes, DateTimeOffset ModifiedAt);

    /// <summary>Every file of a run's folder, by path; none when the run wrote nothing yet. Symbolic links are neither
    /// listed nor followed: one could point anywhere on the machine.</summary>
    public IReadOnlyList<File> Files(Guid runId)
    {
        var folder = RunDirectory(runId);
        if (!Directory.Exists(folder)) return [];
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true };
        return [.. Directory.EnumerateFiles(folder, "*", options)
            .Select(f => new FileInfo(f))
            .Select(f => new File(Path.GetRelativePath(folder, f.FullName).Replace('\\', '/'), f.Length, f.LastWriteTimeUtc))
            .OrderBy(f => f.Path, StringComparer.Ordinal)];
    }

    /// <summary>The full path of the file <paramref name="relativePath"/> names in a run's folder, or why there is none:
    /// a path that leaves the folder, or passes through a symbolic link on the way, is refused (<see cref="Lookup.Outside"/>).</summary>
    public (Lookup Result, string? Path) Find(Guid runId, string relativePath)
    {
        var folder = Path.GetFullPath(RunDirectory(runId)) + Path.DirectorySeparatorChar;
        var file = Path.GetFullPath(Path.Combine(folder, relativePath));
        if (!file.StartsWith(folder, StringComparison.Ordinal)) return (Lookup.Outside, null);
        for (var part = file; part.Length >= folder.Length; part = Path.GetDirectoryName(part)!)
            if (new FileInfo(part).LinkTarget is not null) return (Lookup.Outside, null);
        return System.IO.File.Exists(file) ? (Lookup.Found, file) : (Lookup.NotFound, null);
    }

    public enum Lookup { Found, NotFound, Outside }
}
