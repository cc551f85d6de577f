using System.Text.Json.Nodes;

namespace AlignLab.Core.Methods;

/// <summary>The presets every method with a recipe offers, and the run parameter that names one.</summary>
public static class Presets
{
    /// <summary>The parameter of a run request that names its preset; not itself a method parameter.</summary>
    public const string ParameterName = "preset";

    /// <summary>The paper's recipe (the authors' code where the paper is silent): the default.</summary>
    public const string Paper = "paper";

    /// <summary>Small enough that the built-in demo finishes in CPU minutes.</summary>
    public const string Demo = "demo";

    /// <summary>The presets of a method whose options record is <typeparamref name="T"/>: every parameter's value under each.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, JsonNode?>> Of<T>(ParameterSchema<T> schema, T paper, T demo) where T : class =>
        new Dictionary<string, IReadOnlyDictionary<string, JsonNode?>>(StringComparer.Ordinal)
        {
            [Paper] = schema.Values(paper),
            [Demo] = schema.Values(demo),
        };
}
