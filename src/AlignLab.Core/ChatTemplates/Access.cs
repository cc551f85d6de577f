namespace AlignLab.Core.ChatTemplates;

/// <summary>
/// jinja2's Environment.getattr / getitem under the immutable sandbox. `a.b` tries the Python attribute first
/// (so message.items is dict.items) and then the item; `a['b']` tries the item first and then the attribute.
/// A miss yields Undefined, except on Undefined itself, which raises as jinja2's default Undefined does.
/// </summary>
internal static class Access
{
    public static object? GetAttribute(object? target, string name)
    {
        switch (target)
        {
            case Undefined undefined:
                throw undefined.Fail();
            case PyDict dict:
                if (Methods.Has(dict, name)) return MethodOrUnsafe(dict, name);
                return dict.TryGetValue(name, out var value) ? value : Undefined.Attribute(dict, name);
            case Namespace ns:
                return ns.Attributes.TryGetValue(name, out var attribute) ? attribute : Undefined.Attribute(ns, name);
            case LoopContext loop:
                return loop.GetAttribute(name);
            default:
                return PythonAttribute(target, name) ?? Undefined.Attribute(target, name);
        }
    }

    public static object? GetItem(object? target, object? key)
    {
        switch (target)
        {
            case Undefined undefined:
                throw undefined.Fail();
            case PyDict dict:
                if (key is not (List<object?> or PyDict) && dict.TryGetValue(key, out var value)) return value;
                break;
            case List<object?> or PyTuple when key is long or bool:
                var items = (IReadOnlyList<object?>)target;
                var index = Py.ToLong(key);
                if (index < 0) index += items.Count;
                if (index >= 0 && index < items.Count) return items[(int)index];
                break;
            case string s when key is long or bool:
                var elements = PyText.HasSurrogates(s) ? PyText.Elements(s) : null;
                var length = elements?.Length ?? s.Length;
                var position = Py.ToLong(key);
                if (position < 0) position += length;
                if (position >= 0 && position < length) return elements?[position] ?? s[(int)position].ToString();
                break;
            case Namespace or LoopContext when key is string name:
                return GetAttribute(target, name);
        }
        // Python's item lookup failed: jinja2 falls back to the attribute of that name, then to Undefined.
        if (key is string attributeName && target is not null) return PythonAttribute(target, attributeName) ?? Undefined.Attribute(target, key);
        return Undefined.Attribute(target, key);
    }

    /// <summary>
    /// target[start:stop:step] on str, list and tuple. jinja2 compiles a slice to plain Python subscription, without
    /// getitem's fallbacks, so a bad slice raises instead of giving Undefined.
    /// </summary>
    public static object? GetSlice(object? target, object? start, object? stop, object? step)
    {
        if (target is Undefined undefined) throw undefined.Fail();
        if (target is PyDict) throw new TemplateRuntimeError("unhashable type: 'slice'");
        if (target is not (string or List<object?> or PyTuple)) throw new TemplateRuntimeError($"'{Py.TypeName(target)}' object is not subscriptable");
        if (!IsIndex(start) || !IsIndex(stop) || !IsIndex(step))
            throw new TemplateRuntimeError("slice indices must be integers or None or have an __index__ method");
        long? Index(object? bound) => bound is null ? null : Py.ToLong(bound);
        if (target is string s) return PyText.Slice(s, Index(start), Index(stop), Index(step));
        var items = (IReadOnlyList<object?>)target;
        var (from, to, by) = PySlice.Indices(items.Count, Index(start), Index(stop), Index(step));
        var slice = PySlice.Range(from, to, by).Select(i => items[i]);
        return target is PyTuple ? new PyTuple(slice.ToArray()) : slice.ToList();
    }

    private static bool IsIndex(object? bound) => bound is null or long or bool;

    // Only methods exist as attributes on the plain Python types a template sees; mutating methods are
    // replaced by an Undefined that raises when used, as jinja2's ImmutableSandboxedEnvironment does.
    private static object? PythonAttribute(object? target, string name) =>
        target is not null && Methods.Has(target, name) ? MethodOrUnsafe(target, name) : null;

    private static object MethodOrUnsafe(object target, string name) => Methods.IsMutating(target, name)
        ? new Undefined($"access to attribute '{name}' of '{Py.TypeName(target)}' object is unsafe.")
        : new BoundMethod(target, name);
}
