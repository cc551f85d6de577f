using System.Collections;

namespace AlignLab.Core.ChatTemplates;

/// <summary>Python's dict: keys keep insertion order and compare with Python equality (1 == 1.0 == True).</summary>
internal sealed class PyDict : IEnumerable<KeyValuePair<object?, object?>>
{
    // OrderedDictionary rejects null keys, so Python's None key is stored as this marker.
    private static readonly object NoneKey = new();
    private readonly OrderedDictionary<object, object?> _items = new(PyKeyComparer.Instance);

    public int Count => _items.Count;

    public IEnumerable<object?> Keys => _items.Keys.Select(Unwrap);

    public IEnumerable<object?> Values => _items.Values;

    public bool TryGetValue(object? key, out object? value)
    {
        PyKeyComparer.EnsureHashable(key);
        return _items.TryGetValue(key ?? NoneKey, out value);
    }

    public bool ContainsKey(object? key) => TryGetValue(key, out _);

    public void Remove(object? key) => _items.Remove(key ?? NoneKey);

    public void Set(object? key, object? value)
    {
        PyKeyComparer.EnsureHashable(key);
        _items[key ?? NoneKey] = value;
    }

    public IEnumerator<KeyValuePair<object?, object?>> GetEnumerator()
    {
        foreach (var (key, value) in _items) yield return new(Unwrap(key), value);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static object? Unwrap(object key) => ReferenceEquals(key, NoneKey) ? null : key;
}

/// <summary>Hashing and equality for dict keys and sets, following Python: equal numbers hash alike.</summary>
internal sealed class PyKeyComparer : IEqualityComparer<object>
{
    public static readonly PyKeyComparer Instance = new();

    public new bool Equals(object? x, object? y) => Py.Equal(x, y);

    public int GetHashCode(object obj) => obj switch
    {
        string s => s.GetHashCode(StringComparison.Ordinal),
        bool b => b ? 1 : 0,
        long l => l.GetHashCode(),
        double d when d == Math.Floor(d) && Math.Abs(d) < 9.2e18 => ((long)d).GetHashCode(),
        double d => d.GetHashCode(),
        PyTuple t => t.Items.Aggregate(17, (h, item) => h * 31 + (item is null ? 0 : GetHashCode(item))),
        _ => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj),
    };

    public static void EnsureHashable(object? key)
    {
        if (key is List<object?> or PyDict) throw new TemplateRuntimeError($"unhashable type: '{Py.TypeName(key)}'");
        if (key is PyTuple t) foreach (var item in t.Items) EnsureHashable(item);
    }
}
