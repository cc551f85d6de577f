using System.Text.Json.Nodes;

namespace AlignLab.Core.Methods;

/// <summary>A default that follows another parameter: when <see cref="When"/> takes one of <see cref="Values"/>, the
/// parameter <see cref="Parameter"/> defaults to <see cref="Value"/> instead of its preset's value (as FIGA's Table 5
/// variants ran with β = 0). A request that gives the parameter keeps its own value; the wizard changes it only while it
/// still holds the preset's value.</summary>
public sealed record LinkedDefault(string Parameter, JsonNode? Value, string When, IReadOnlyList<string> Values, string Reason)
{
    /// <summary>Whether this default applies to parameters resolved as <paramref name="resolved"/>.</summary>
    public bool AppliesTo(IReadOnlyDictionary<string, JsonNode?> resolved) =>
        resolved.GetValueOrDefault(When) is JsonValue v && v.TryGetValue<string>(out var s) && Values.Contains(s);
}
