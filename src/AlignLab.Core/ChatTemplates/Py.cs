namespace AlignLab.Core.ChatTemplates;

/// <summary>
/// Python's value semantics for the runtime's CLR values (see Values.cs): truthiness, equality, ordering,
/// iteration, len() and the `in` operator. Templates are Python code in disguise, so these decide output.
/// </summary>
internal static class Py
{
    public static bool Truthy(object? value) => value switch
    {
        null or Undefined => false,
        bool b => b,
        long l => l != 0,
        double d => d != 0,
        string s => s.Length > 0,
        List<object?> list => list.Count > 0,
        PyTuple t => t.Count > 0,
        PyDict d => d.Count > 0,
        PyDictView v => v.Items.Count > 0,
        _ => true,
    };

    public static string TypeName(object? value) => value switch
    {
        null => "NoneType",
        bool => "bool",
        long => "int",
        double => "float",
        string => "str",
        List<object?> => "list",
        PyTuple => "tuple",
        PyDict => "dict",
        PyIterator it => it.TypeName,
        PyDictView v => v.TypeName,
        Undefined => "Undefined",
        Namespace => "Namespace",
        LoopContext => "LoopContext",
        Macro => "Macro",
        IPyCallable => "builtin_function_or_method",
        _ => value.GetType().Name,
    };

    public static bool IsNumber(object? value) => value is long or double or bool;

    public static bool IsInteger(object? value) => value is long or bool;

    public static long ToLong(object? value) => value switch
    {
        long l => l,
        bool b => b ? 1 : 0,
        _ => throw new TemplateRuntimeError($"'{TypeName(value)}' object cannot be interpreted as an integer"),
    };

    public static double ToDouble(object? value) => value switch
    {
        long l => l,
        bool b => b ? 1 : 0,
        double d => d,
        _ => throw new TemplateRuntimeError($"must be real number, not {TypeName(value)}"),
    };

    public static bool Equal(object? a, object? b)
    {
        if (ReferenceEquals(a, b)) return true;
        switch (a)
        {
            case null: return false;
            case string sa: return b is string sb && string.Equals(sa, sb, StringComparison.Ordinal);
            case long or bool or double when IsNumber(b):
                return IsInteger(a) && IsInteger(b) ? ToLong(a) == ToLong(b) : ToDouble(a) == ToDouble(b);
            case Undefined: return b is Undefined;
            case List<object?> la: return b is List<object?> lb && SequenceEqual(la, lb);
            case PyTuple ta: return b is PyTuple tb && SequenceEqual(ta, tb);
            case PyDict da:
                if (b is not PyDict db || da.Count != db.Count) return false;
                foreach (var (key, value) in da)
                    if (!db.TryGetValue(key, out var other) || !Equal(value, other)) return false;
                return true;
            default: return false;
        }
    }

    private static bool SequenceEqual(IReadOnlyList<object?> a, IReadOnlyList<object?> b)
    {
        if (a.Count != b.Count) return false;
        for (var i = 0; i < a.Count; i++)
            if (!Equal(a[i], b[i])) return false;
        return true;
    }

    /// <summary>Orders two values for &lt; &lt;= &gt; &gt;= and sorting; mixed types raise as in Python.</summary>
    public static int Compare(object? a, object? b, string op = "<")
    {
        if (a is Undefined ua) throw ua.Fail();
        if (b is Undefined ub) throw ub.Fail();
        if (IsNumber(a) && IsNumber(b))
            return IsInteger(a) && IsInteger(b) ? ToLong(a).CompareTo(ToLong(b)) : ToDouble(a).CompareTo(ToDouble(b));
        if (a is string sa && b is string sb) return Math.Sign(string.CompareOrdinal(sa, sb));
        if (a is List<object?> && b is List<object?> || a is PyTuple && b is PyTuple)
        {
            var la = (IReadOnlyList<object?>)a;
            var lb = (IReadOnlyList<object?>)b!;
            for (var i = 0; i < Math.Min(la.Count, lb.Count); i++)
                if (!Equal(la[i], lb[i])) return Compare(la[i], lb[i], op);
            return la.Count.CompareTo(lb.Count);
        }
        throw new TemplateRuntimeError($"'{op}' not supported between instances of '{TypeName(a)}' and '{TypeName(b)}'");
    }

    public static IEnumerable<object?> Iterate(object? value) => value switch
    {
        List<object?> list => list,
        PyTuple t => t.Items,
        PyDict d => d.Keys,
        string s => PyText.CodePoints(s),
        PyIterator it => it.Consume(),
        PyDictView v => v.Items,
        Undefined => [],
        LoopContext loop => loop.Items,
        _ => throw new TemplateRuntimeError($"'{TypeName(value)}' object is not iterable"),
    };

    public static List<object?> ToList(object? value) => [.. Iterate(value)];

    public static IReadOnlyList<object?> AsSequence(object? value) => value as List<object?> ?? (IReadOnlyList<object?>?)(value as PyTuple) ?? ToList(value);

    public static long Length(object? value) => value switch
    {
        string s => PyText.Length(s),
        List<object?> list => list.Count,
        PyTuple t => t.Count,
        PyDict d => d.Count,
        PyDictView v => v.Items.Count,
        Undefined => 0,
        LoopContext loop => loop.Items.Count,
        _ => throw new TemplateRuntimeError($"object of type '{TypeName(value)}' has no len()"),
    };

    public static bool Contains(object? container, object? item)
    {
        switch (container)
        {
            case string s:
                if (item is not string sub) throw new TemplateRuntimeError($"'in <string>' requires string as left operand, not {TypeName(item)}");
                return s.Contains(sub, StringComparison.Ordinal);
            case PyDict d:
                return d.ContainsKey(item);
            case List<object?> or PyTuple or PyIterator or PyDictView or Undefined:
                foreach (var element in Iterate(container))
                    if (Equal(element, item)) return true;
                return false;
            default:
                throw new TemplateRuntimeError($"argument of type '{TypeName(container)}' is not iterable");
        }
    }
}
