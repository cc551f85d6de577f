using System.Text.Json;
using System.Text.Json.Nodes;

namespace AlignLab.Web.Api;

/// <summary>The body of <c>PATCH /api/runs/{id}</c> and <c>PATCH /api/datasets/{id}</c>: exactly <c>{"archived": true}</c> or
/// <c>{"archived": false}</c>, the one change either takes.</summary>
public static class ArchiveChange
{
    /// <summary>Whether to archive, or null when the body is anything else.</summary>
    public static bool? Read(JsonNode? body) =>
        body is JsonObject { Count: 1 } change && change["archived"] is JsonValue value
            && value.GetValueKind() is (JsonValueKind.True or JsonValueKind.False)
            ? value.GetValue<bool>() : null;

    public static Dictionary<string, string[]> Problem(string subject) =>
        new() { ["archived"] = [$"required: true or false (the only change a {subject} takes)"] };
}
