using System.Text.Json;

namespace AlignLab.Jobs.Execution;

/// <summary>Where a run's files live under the artifact root: runs/{id}/checkpoints, runs/{id}/export, ….</summary>
public sealed class RunArtifacts(string root)
{
    public string Root { get; } = root;

    public string RunDirectory(Guid runId) => Path.Combine(Root, "runs", runId.ToString("D"));

    public string CheckpointsOf(Guid runId) => Path.Combine(RunDirectory(runId), "checkpoints");

    /// <summary>The path of a file a method declares in its Core artifact contract (<c>FigaArtifacts</c>, …).</summary>
    public string PathOf(Guid runId, string file) => Path.Combine(RunDirectory(runId), file);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>A run's JSON artifact, read into its Core record: the value; nothing (no error) when the run has not
    /// written it yet; or, when the file is there and cannot be read, why, for the page to show instead of hiding it.</summary>
    public async Task<(T? Value, string? Error)> ReadJsonAsync<T>(Guid runId, string file, CancellationToken cancellationToken = default) where T : class
    {
        var path = PathOf(runId, file);
        if (!System.IO.File.Exists(path)) return (null, null);
        try
        {
            return JsonSerializer.Deserialize<T>(await System.IO.File.ReadAllTextAsync(path, cancellationToken), Json) is { } value
                ? (value, null) : (null, $"{file} holds no value");
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return (null, $"{file} cannot be read: {e.Message}");
        }
    }

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
