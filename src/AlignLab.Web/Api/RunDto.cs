using System.Text.Json.Nodes;
using AlignLab.Core.Runs;

namespace AlignLab.Web.Api;

/// <summary>A run as the API returns it.</summary>
/// <param name="Preset">The preset its parameters started from (paper, demo); null for a method without presets.</param>
/// <param name="Changed">The parameters whose value differs from the preset's.</param>
/// <param name="Memory">The memory the run was estimated to need at submission; null for a method that trains no model.</param>
public sealed record RunDto(
    Guid Id,
    string Name,
    string Method,
    string Queue,
    RunStatus Status,
    long Step,
    long TotalSteps,
    double Progress,
    string? Error,
    bool CancelRequested,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    IReadOnlyDictionary<string, JsonNode?> Parameters,
    string? Preset,
    IReadOnlyList<string>? Changed,
    string? LaunchedBy,
    string? CancelledBy,
    Guid? RetryOf,
    DateTimeOffset? ArchivedAt,
    MemoryEstimateDto? Memory = null)
{
    public static RunDto From(Run run) => new(run.Id, run.Spec.Name, run.Spec.Method, run.Spec.Queue, run.Status,
        run.Step, run.TotalSteps, run.Progress, run.Error, run.CancelRequested, run.CreatedAt, run.StartedAt,
        run.FinishedAt, run.Spec.Parameters, run.Spec.Preset, run.Spec.Changed, run.Actors.LaunchedBy, run.Actors.CancelledBy, run.Actors.RetryOf, run.ArchivedAt,
        run.Spec.Memory is { } memory ? MemoryEstimateDto.From(memory) : null);
}

public sealed record RunListDto(IReadOnlyList<RunDto> Items, long Total, int Page, int PageSize);
