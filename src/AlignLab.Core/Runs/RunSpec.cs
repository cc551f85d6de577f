using System.Text.Json.Nodes;

namespace AlignLab.Core.Runs;

/// <summary>What a user asks for: a method, its parameters (resolved: every parameter present, defaults
/// filled in) and where it runs. Stored as jsonb with the run, so a retried job sees the same spec.</summary>
public sealed record RunSpec(
    string Method,
    string Name,
    string Queue,
    IReadOnlyDictionary<string, JsonNode?> Parameters)
{
    public static readonly IReadOnlyList<string> Queues = ["gpu", "cpu", "default"];
}
