using System.Text.Json.Nodes;

namespace AlignLab.Core.Runs;

/// <summary>What a user asks for: a method, its parameters (resolved: every parameter present, the preset's values
/// filled in) and where it runs. Stored as jsonb with the run, so a retried job sees the same spec.</summary>
/// <param name="Preset">The preset the parameters started from (<see cref="Methods.Presets"/>); null for a method
/// without presets.</param>
/// <param name="Changed">The parameters whose value differs from the preset's, in schema order.</param>
/// <param name="Memory">The memory the run was estimated to need at submission (<see cref="AlignLab.Core.Memory.RunMemoryEstimate"/>);
/// null for a method that trains no model, or a model not readable then (a run's export still training).</param>
public sealed record RunSpec(
    string Method,
    string Name,
    string Queue,
    IReadOnlyDictionary<string, JsonNode?> Parameters,
    string? Preset = null,
    IReadOnlyList<string>? Changed = null,
    AlignLab.Core.Memory.MemoryEstimate? Memory = null)
{
    public static readonly IReadOnlyList<string> Queues = ["gpu", "cpu", "default"];
}
