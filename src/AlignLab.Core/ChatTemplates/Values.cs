using System.Collections;

namespace AlignLab.Core.ChatTemplates;

// The runtime models Python's values with plain CLR objects wherever one fits, so most values need no wrapper:
// None = null, bool, int = long, float = double, str = string, list = List<object?>. The types below cover the
// rest: tuple, dict views, generators, namespace and callables; PyDict.cs and Undefined.cs hold the other two.

/// <summary>Python's tuple: immutable, printed as "(1, 2)", the items of dict.items(), and what tuple targets unpack.</summary>
internal sealed class PyTuple(object?[] items) : IReadOnlyList<object?>
{
    public object?[] Items { get; } = items;

    public int Count => Items.Length;

    public object? this[int index] => Items[index];

    public IEnumerator<object?> GetEnumerator() => ((IEnumerable<object?>)Items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => Items.GetEnumerator();
}

/// <summary>dict.keys()/values()/items(): sized and re-iterable like a list, but printed as dict_keys([...]) and not indexable.</summary>
internal sealed class PyDictView(string typeName, List<object?> items)
{
    public string TypeName { get; } = typeName;

    public List<object?> Items { get; } = items;
}

/// <summary>
/// A Python iterator such as the generator that map/select/selectattr return or the one from reverse: always
/// truthy, has no len(), and iterating it consumes it. Its items are computed up front, which only differs from
/// Python's laziness when an item would raise an error that a template never reaches.
/// </summary>
internal sealed class PyIterator(string typeName, List<object?> items)
{
    private int _next;

    public string TypeName { get; } = typeName;

    public IEnumerable<object?> Consume()
    {
        while (_next < items.Count) yield return items[_next++];
    }
}

/// <summary>The object namespace(...) returns: the one mutable value a template may assign attributes on.</summary>
internal sealed class Namespace
{
    public OrderedDictionary<string, object?> Attributes { get; } = new(StringComparer.Ordinal);
}

/// <summary>Anything a template can call: builtins, bound methods, macros, loop.cycle.</summary>
internal interface IPyCallable
{
    string Name { get; }

    object? Call(Interpreter interpreter, Args args);
}

internal sealed class BuiltinFunction(string name, Func<Interpreter, Args, object?> body) : IPyCallable
{
    public string Name { get; } = name;

    public object? Call(Interpreter interpreter, Args args) => body(interpreter, args);
}

/// <summary>A method looked up but not yet called, e.g. the value of message.content.strip.</summary>
internal sealed class BoundMethod(object receiver, string name) : IPyCallable
{
    public object Receiver { get; } = receiver;

    public string Name { get; } = name;

    public object? Call(Interpreter interpreter, Args args) => Methods.Call(Receiver, Name, args);
}
