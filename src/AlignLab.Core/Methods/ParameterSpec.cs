using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AlignLab.Core.Methods;

/// <summary>A parameter's type. <see cref="Models"/> and <see cref="Datasets"/> are lists of what <see cref="Model"/> and
/// <see cref="Dataset"/> name one of (the models and evaluation sets of an evaluation).</summary>
public enum ParameterKind { Integer, Number, Boolean, Text, Choice, Dataset, Model, Models, Datasets }

/// <summary>What a model parameter names: the policy being trained, a reward model, or a dense retriever (a BERT encoder
/// scoring relevance, as R³'s Contriever).</summary>
public enum ModelRole { Policy, Reward, Retriever }

/// <summary>One hyperparameter of a method: its type, default (the paper's figure where there is one),
/// allowed range and a one-line explanation. The wizard renders its inputs from these, and the API and
/// the wizard validate through <see cref="Validate"/>, so both accept exactly the same values.</summary>
public sealed record ParameterSpec(
    string Name,
    ParameterKind Kind,
    JsonNode Default,
    string Help,
    double? Min = null,
    double? Max = null,
    IReadOnlyList<string>? Choices = null,
    IReadOnlyList<string>? DatasetKinds = null,
    ModelRole? Role = null)
{
    public static ParameterSpec Integer(string name, long @default, long min, long max, string help) =>
        new(name, ParameterKind.Integer, JsonValue.Create(@default), help, min, max);

    public static ParameterSpec Number(string name, double @default, double min, double max, string help) =>
        new(name, ParameterKind.Number, JsonValue.Create(@default), help, min, max);

    public static ParameterSpec Boolean(string name, bool @default, string help) =>
        new(name, ParameterKind.Boolean, JsonValue.Create(@default), help);

    public static ParameterSpec Text(string name, string @default, int maxLength, string help) =>
        new(name, ParameterKind.Text, JsonValue.Create(@default), help, 0, maxLength);

    public static ParameterSpec Choice(string name, string @default, IReadOnlyList<string> choices, string help) =>
        new(name, ParameterKind.Choice, JsonValue.Create(@default), help, Choices: choices);

    /// <summary>A stored dataset's id, or one of <paramref name="builtIn"/>; the wizard offers both in a list,
    /// the stored ones only of <paramref name="kinds"/> (null: any kind).</summary>
    public static ParameterSpec Dataset(string name, string @default, IReadOnlyList<string> builtIn, string help, IReadOnlyList<string>? kinds = null) =>
        new(name, ParameterKind.Dataset, JsonValue.Create(@default), help, 0, 100, builtIn, kinds);

    /// <summary>A model reference (a folder under a model root, or "runs/{id}/export"); the wizard offers the registry's
    /// models of <paramref name="role"/>. An empty default makes it optional.</summary>
    public static ParameterSpec Model(string name, string @default, ModelRole role, string help) =>
        new(name, ParameterKind.Model, JsonValue.Create(@default), help, 0, 400, Role: role);

    /// <summary>One to <paramref name="maxCount"/> different model references.</summary>
    public static ParameterSpec Models(string name, IReadOnlyList<string> @default, ModelRole role, int maxCount, string help) =>
        new(name, ParameterKind.Models, new JsonArray([.. @default.Select(m => (JsonNode?)JsonValue.Create(m))]), help, 1, maxCount, Role: role);

    /// <summary><paramref name="minCount"/> to <paramref name="maxCount"/> different datasets: stored ids or the built-in <paramref name="builtIn"/>.</summary>
    public static ParameterSpec Datasets(string name, IReadOnlyList<string> @default, IReadOnlyList<string> builtIn, int maxCount, string help,
        IReadOnlyList<string>? kinds = null, int minCount = 1) =>
        new(name, ParameterKind.Datasets, new JsonArray([.. @default.Select(d => (JsonNode?)JsonValue.Create(d))]), help, minCount, maxCount, builtIn, kinds);

    /// <summary>Checks a value given by a user. Returns the error message, or null with the value
    /// normalised to this parameter's JSON type in <paramref name="normalized"/>.</summary>
    public string? Validate(JsonNode? value, out JsonNode? normalized)
    {
        normalized = null;
        if (value is null) return "must not be null";
        var kind = value.GetValueKind();
        switch (Kind)
        {
            case ParameterKind.Integer:
                if (kind != JsonValueKind.Number) return $"must be an integer, not {Describe(kind)}";
                if (!TryGetInteger(value, out long integer)) return "must be a whole number";
                if (integer < Min || integer > Max) return $"must be between {Format(Min)} and {Format(Max)}";
                normalized = JsonValue.Create(integer);
                return null;
            case ParameterKind.Number:
                if (kind != JsonValueKind.Number) return $"must be a number, not {Describe(kind)}";
                var number = NumberOf(value);
                if (!double.IsFinite(number)) return "must be finite";
                if (number < Min || number > Max) return $"must be between {Format(Min)} and {Format(Max)}";
                normalized = JsonValue.Create(number);
                return null;
            case ParameterKind.Boolean:
                if (kind is not (JsonValueKind.True or JsonValueKind.False)) return $"must be true or false, not {Describe(kind)}";
                normalized = JsonValue.Create(kind == JsonValueKind.True);
                return null;
            case ParameterKind.Text or ParameterKind.Model:
                if (kind != JsonValueKind.String) return $"must be a string, not {Describe(kind)}";
                if (StringOf(value) is not { } text) return "contains a lone surrogate, which is not a character";
                if (Core.Text.TextRules.Problem(text) is { } problem) return problem;
                if (text.Length > Max) return $"must be at most {Format(Max)} characters";
                normalized = JsonValue.Create(text);
                return null;
            case ParameterKind.Dataset:
                if (kind != JsonValueKind.String) return $"must be a dataset id or one of {string.Join(", ", Choices!)}";
                var reference = value.GetValue<string>();
                if (!Choices!.Contains(reference, StringComparer.Ordinal) && !Guid.TryParse(reference, out _))
                    return $"must be a dataset id or one of {string.Join(", ", Choices!)}";
                normalized = JsonValue.Create(reference);
                return null;
            case ParameterKind.Choice:
                if (kind != JsonValueKind.String) return $"must be one of {string.Join(", ", Choices!)}";
                var choice = value.GetValue<string>();
                if (!Choices!.Contains(choice, StringComparer.Ordinal)) return $"must be one of {string.Join(", ", Choices!)}";
                normalized = JsonValue.Create(choice);
                return null;
            case ParameterKind.Models or ParameterKind.Datasets:
                if (value is not JsonArray list) return $"must be a list of {(Kind == ParameterKind.Models ? "model references" : "dataset ids or names")}, not {Describe(kind)}";
                if (list.Count < Min || list.Count > Max) return $"must name {Format(Min)} to {Format(Max)} {(Kind == ParameterKind.Models ? "models" : "datasets")}, not {list.Count}";
                if (list.Count == 0) { normalized = new JsonArray(); return null; }
                var items = new List<string>();
                var single = this with { Kind = Kind == ParameterKind.Models ? ParameterKind.Model : ParameterKind.Dataset, Min = 0, Max = Kind == ParameterKind.Models ? 400 : 100 };
                foreach (var (item, i) in list.Select((item, i) => (item, i)))
                {
                    if (single.Validate(item, out var one) is { } error) return $"item {i}: {error}";
                    var name = one!.GetValue<string>();
                    if (name.Trim().Length == 0) return $"item {i}: empty";
                    if (items.Contains(name, StringComparer.Ordinal)) return $"item {i}: {name} is named twice";
                    items.Add(name);
                }
                normalized = new JsonArray([.. items.Select(t => (JsonNode?)JsonValue.Create(t))]);
                return null;
            default:
                throw new InvalidOperationException($"unknown parameter kind {Kind}");
        }
    }

    // An escaped lone surrogate ("\ud800") is valid JSON, but no string can be made of it.
    private static string? StringOf(JsonNode value)
    {
        try { return value.GetValue<string>(); }
        catch (InvalidOperationException) { return null; }
    }

    // 3 and 3.0 are the same integer in JSON.
    private static bool TryGetInteger(JsonNode value, out long integer)
    {
        if (value.AsValue().TryGetValue(out integer)) return true;
        var number = NumberOf(value);
        integer = (long)number;
        return Math.Abs(number) < 9e15 && number == Math.Floor(number);
    }

    /// <summary>A JSON number as a double, whether it was parsed (a JsonElement) or built from any CLR number type.</summary>
    private static double NumberOf(JsonNode value) =>
        value.AsValue().TryGetValue(out double number) ? number : double.Parse(value.ToJsonString(), CultureInfo.InvariantCulture);

    private static string Format(double? bound) => bound?.ToString("G", CultureInfo.InvariantCulture) ?? "";

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => "null",
    };
}
