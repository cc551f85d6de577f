using System.Text.Json;
using AlignLab.Core.Runs;

namespace AlignLab.Data.Notifications;

/// <summary>A run's status or progress changed.</summary>
public sealed record RunNotification(Guid RunId, RunStatus Status, long Step, long TotalSteps, string? Error)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    // Errors can be long (stack traces); NOTIFY payloads cannot. The full text stays in the runs table.
    public string ToPayload() =>
        JsonSerializer.Serialize(this with { Error = Error is { Length: > 1000 } e ? e[..1000] + "…" : Error }, Json);

    public static RunNotification Parse(string payload) =>
        JsonSerializer.Deserialize<RunNotification>(payload, Json) ?? throw new JsonException("empty run notification");
}
