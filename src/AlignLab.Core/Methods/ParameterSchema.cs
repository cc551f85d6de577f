using System.Linq.Expressions;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AlignLab.Core.Methods;

/// <summary>A method's parameters declared against its typed options record: each entry names the parameter, the
/// property it fills, its range and its help. The default is the property's value in the method's default record, so
/// each default is written once, in the record. <see cref="Specs"/> gives the wizard and the validator their
/// <see cref="ParameterSpec"/>s; <see cref="Bind"/> builds the record once from a validated spec, and the method reads
/// typed properties from then on. <see cref="Group{TGroup}"/> nests a shared record (optimization, LoRA, runtime)
/// whose defaults each method's record sets to its paper's figures.</summary>
public sealed class ParameterSchema<T> where T : class
{
    private readonly List<Entry> _entries = [];

    /// <summary>One parameter, or a nested group of them, filling one property.</summary>
    private sealed record Entry(PropertyInfo Property, Func<object?, IEnumerable<ParameterSpec>> Specs, Func<MethodParameters, object?, object?> Bind);

    public ParameterSchema<T> Integer(Expression<Func<T, int>> property, string name, long min, long max, string help) =>
        Leaf(property, name, d => ParameterSpec.Integer(name, (int)d!, min, max, help), v => checked((int)v.GetValue<long>()));

    public ParameterSchema<T> Integer(Expression<Func<T, long>> property, string name, long min, long max, string help) =>
        Leaf(property, name, d => ParameterSpec.Integer(name, (long)d!, min, max, help), v => v.GetValue<long>());

    public ParameterSchema<T> Number(Expression<Func<T, double>> property, string name, double min, double max, string help) =>
        Leaf(property, name, d => ParameterSpec.Number(name, (double)d!, min, max, help), v => v.GetValue<double>());

    public ParameterSchema<T> Boolean(Expression<Func<T, bool>> property, string name, string help) =>
        Leaf(property, name, d => ParameterSpec.Boolean(name, (bool)d!, help), v => v.GetValue<bool>());

    public ParameterSchema<T> Text(Expression<Func<T, string>> property, string name, int maxLength, string help) =>
        Leaf(property, name, d => ParameterSpec.Text(name, (string)d!, maxLength, help), v => v.GetValue<string>());

    /// <summary>One of <paramref name="choices"/>, kept as the string (a template name, a schedule).</summary>
    public ParameterSchema<T> Choice(Expression<Func<T, string>> property, string name, IReadOnlyList<string> choices, string help) =>
        Leaf(property, name, d => ParameterSpec.Choice(name, (string)d!, choices, help), v => v.GetValue<string>());

    /// <summary>One of an enum's members, offered by their snake_case names (BagOfWords: "bag_of_words") in declaration order.</summary>
    public ParameterSchema<T> Choice<TEnum>(Expression<Func<T, TEnum>> property, string name, string help) where TEnum : struct, Enum
    {
        var members = Enum.GetValues<TEnum>();
        var names = members.Select(m => SnakeCase(m.ToString())).ToList();
        return Leaf(property, name, d => ParameterSpec.Choice(name, SnakeCase(d!.ToString()!), names, help),
            v => members[names.IndexOf(v.GetValue<string>())]);
    }

    public ParameterSchema<T> Dataset(Expression<Func<T, string>> property, string name, IReadOnlyList<string> builtIn, string help,
        IReadOnlyList<string>? kinds = null) =>
        Leaf(property, name, d => ParameterSpec.Dataset(name, (string)d!, builtIn, help, kinds), v => v.GetValue<string>());

    public ParameterSchema<T> Model(Expression<Func<T, string>> property, string name, ModelRole role, string help) =>
        Leaf(property, name, d => ParameterSpec.Model(name, (string)d!, role, help), v => v.GetValue<string>());

    /// <summary>A list of model references (an evaluation's models).</summary>
    public ParameterSchema<T> Models(Expression<Func<T, IReadOnlyList<string>>> property, string name, ModelRole role, int maxCount, string help) =>
        Leaf(property, name, d => ParameterSpec.Models(name, (IReadOnlyList<string>)d!, role, maxCount, help), ReadList);

    /// <summary>A list of datasets: stored ids or built-in names (an evaluation's sets).</summary>
    public ParameterSchema<T> Datasets(Expression<Func<T, IReadOnlyList<string>>> property, string name, IReadOnlyList<string> builtIn, int maxCount,
        string help, IReadOnlyList<string>? kinds = null, int minCount = 1) =>
        Leaf(property, name, d => ParameterSpec.Datasets(name, (IReadOnlyList<string>)d!, builtIn, maxCount, help, kinds, minCount), ReadList);

    private static IReadOnlyList<string> ReadList(JsonNode value) => [.. value.AsArray().Select(item => item!.GetValue<string>())];

    /// <summary>The parameters of a nested record, declared once by <paramref name="schema"/> and shared by methods; their
    /// defaults are the nested record's values in this record's default.</summary>
    public ParameterSchema<T> Group<TGroup>(Expression<Func<T, TGroup>> property, ParameterSchema<TGroup> schema) where TGroup : class
    {
        var info = PropertyOf(property);
        _entries.Add(new Entry(info, d => schema.Specs((TGroup)d!), (p, d) => schema.Bind(p, (TGroup)d!)));
        return this;
    }

    /// <summary>The parameters in declaration order, defaults from <paramref name="defaults"/>.</summary>
    public IReadOnlyList<ParameterSpec> Specs(T defaults) =>
        [.. _entries.SelectMany(e => e.Specs(e.Property.GetValue(defaults)))];

    /// <summary>Every declared parameter's value in <paramref name="record"/>, by name: a preset.</summary>
    public IReadOnlyDictionary<string, JsonNode?> Values(T record) =>
        Specs(record).ToDictionary(s => s.Name, s => (JsonNode?)s.Default, StringComparer.Ordinal);

    /// <summary>The record <paramref name="defaults"/> with every declared property taken from the run's resolved
    /// parameters (validated, defaults filled in); what the schema does not declare keeps its default.</summary>
    public T Bind(MethodParameters parameters, T defaults)
    {
        var bound = Clone(defaults);
        foreach (var entry in _entries)
            entry.Property.SetValue(bound, entry.Bind(parameters, entry.Property.GetValue(defaults)));
        return bound;
    }

    private ParameterSchema<T> Leaf<TValue>(Expression<Func<T, TValue>> property, string name, Func<object?, ParameterSpec> spec,
        Func<JsonNode, TValue> read)
    {
        var info = PropertyOf(property);
        _entries.Add(new Entry(info, d => [spec(d)], (p, _) => read(p.Get(name))));
        return this;
    }

    private static PropertyInfo PropertyOf<TValue>(Expression<Func<T, TValue>> property) =>
        property.Body is MemberExpression { Member: PropertyInfo info } && info.CanWrite
            ? info
            : throw new ArgumentException($"{property} must name a settable property of {typeof(T).Name}", nameof(property));

    /// <summary>A shallow copy made by the record's copy constructor (what <c>with</c> uses).</summary>
    private static T Clone(T record) =>
        (T)(typeof(T).GetMethod("<Clone>$")?.Invoke(record, null)
            ?? throw new InvalidOperationException($"{typeof(T).Name} must be a record"));

    public static string SnakeCase(string name) => JsonNamingPolicy.SnakeCaseLower.ConvertName(name);
}
