using System.Text.Json;
using System.Text.Json.Nodes;

namespace AlignLab.Client;

/// <summary>A run: Queued, Running, Succeeded, Failed or Cancelled.</summary>
public sealed record Run(Guid Id, string Name, string Method, string Queue, string Status, long Step, long TotalSteps,
    double Progress, string? Error, bool CancelRequested, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt, IReadOnlyDictionary<string, JsonNode?> Parameters, string? LaunchedBy = null,
    string? CancelledBy = null, Guid? RetryOf = null, DateTimeOffset? ArchivedAt = null)
{
    public bool IsFinished => Status is "Succeeded" or "Failed" or "Cancelled";
}

public sealed record RunPage(IReadOnlyList<Run> Items, long Total, int Page, int PageSize);

/// <summary>What to run: a method, its parameters (the method's defaults for the rest), optionally a name and a queue.</summary>
public sealed record RunRequest(string Method, IReadOnlyDictionary<string, object?>? Parameters = null, string? Name = null, string? Queue = null);

public sealed record MetricPoint(long Step, string Name, double Value, DateTimeOffset Time);

public sealed record Dataset(Guid Id, string Name, string Kind, int ExampleCount, JsonElement Stats, DateTimeOffset CreatedAt, Guid? SourceRunId);

/// <summary>A stored upload, the bad lines it skipped (with skipBadLines) and what was wrong with them.</summary>
public sealed record DatasetUpload(Dataset Dataset, int SkippedLines, IReadOnlyList<string> Problems);

public sealed record ArtifactFile(string Path, long Bytes, DateTimeOffset ModifiedAt);

/// <summary>Something that happened to a watched run: new metric points, or a status (with progress).</summary>
public abstract record RunEvent(Guid RunId);

public sealed record MetricsEvent(Guid RunId, IReadOnlyList<MetricPoint> Points) : RunEvent(RunId);

public sealed record StatusEvent(Guid RunId, string Status, long Step, long TotalSteps, string? Error) : RunEvent(RunId)
{
    public bool IsFinished => Status is "Succeeded" or "Failed" or "Cancelled";
}
