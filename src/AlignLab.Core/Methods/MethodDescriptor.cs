using System.Text.Json.Nodes;

namespace AlignLab.Core.Methods;

/// <summary>What the job layer, the API and the wizard know of a method: its name, a summary for people,
/// its parameter schema and the queue it runs on unless told otherwise.</summary>
public sealed record MethodDescriptor(
    string Name,
    string DisplayName,
    string Summary,
    string DefaultQueue,
    IReadOnlyList<ParameterSpec> Parameters)
{
    /// <summary>Named starting points, each a value for every parameter (<see cref="Presets"/>): <c>paper</c>, the
    /// paper's recipe, whose values are the parameters' defaults, and <c>demo</c>, which finishes on the built-in demo in
    /// CPU minutes. A run names one (<c>preset</c>) and overrides what it likes. Empty for a method without a recipe.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, JsonNode?>> Presets { get; init; } =
        new Dictionary<string, IReadOnlyDictionary<string, JsonNode?>>();

    /// <summary>Defaults that follow another parameter's value (<see cref="LinkedDefault"/>), applied after the preset.</summary>
    public IReadOnlyList<LinkedDefault> LinkedDefaults { get; init; } = [];
}
