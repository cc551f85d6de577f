using System.Text.Json.Nodes;

namespace AlignLab.Core.Methods;

/// <summary>Typed access to a run's resolved parameters (validated, defaults filled in).</summary>
public sealed class MethodParameters(IReadOnlyDictionary<string, JsonNode?> values)
{
    public long GetInt64(string name) => Get(name).GetValue<long>();
    public int GetInt32(string name) => checked((int)GetInt64(name));
    public double GetDouble(string name) => Get(name).GetValue<double>();
    public bool GetBoolean(string name) => Get(name).GetValue<bool>();
    public string GetString(string name) => Get(name).GetValue<string>();

    internal JsonNode Get(string name) =>
        values.TryGetValue(name, out var value) && value is not null
            ? value
            : throw new KeyNotFoundException($"parameter '{name}' is not in the run's spec");
}
