namespace AlignLab.Core.ChatTemplates;

internal delegate bool TestFunction(Interpreter interpreter, object? value, Args args);

/// <summary>
/// jinja2's builtin tests (jinja2/tests.py), the right-hand side of `x is name`. Python's type model shows
/// through: a bool is a number but not an integer, a str is iterable and a sequence, Undefined is iterable.
/// </summary>
internal static class JinjaTests
{
    private static readonly Dictionary<string, TestFunction> Registry = new(StringComparer.Ordinal)
    {
        ["boolean"] = (_, v, a) => v is bool,
        ["callable"] = (_, v, a) => v is IPyCallable or Undefined,
        ["defined"] = (_, v, a) => v is not Undefined,
        ["divisibleby"] = (_, v, a) => Py.Equal(Operators.Binary("%", v, Arg(a, "divisibleby")), 0L),
        ["escaped"] = (_, v, a) => false,
        ["even"] = (_, v, a) => Py.Equal(Operators.Binary("%", v, 2L), 0L),
        ["false"] = (_, v, a) => v is false,
        ["filter"] = (_, v, a) => v is string name && Filters.Find(name) is not null,
        ["float"] = (_, v, a) => v is double,
        ["in"] = (_, v, a) => Py.Contains(Arg(a, "in"), v),
        ["integer"] = (_, v, a) => v is long,
        ["iterable"] = (_, v, a) => v is string or List<object?> or PyTuple or PyDict or PyDictView or PyIterator or Undefined or LoopContext,
        ["lower"] = (_, v, a) => PyRepr.Str(v) is var s && s.Any(char.IsLower) && !s.Any(char.IsUpper),
        ["mapping"] = (_, v, a) => v is PyDict,
        ["none"] = (_, v, a) => v is null,
        ["number"] = (_, v, a) => Py.IsNumber(v),
        ["odd"] = (_, v, a) => Py.Equal(Operators.Binary("%", v, 2L), 1L),
        ["sameas"] = (_, v, a) => SameAs(v, Arg(a, "sameas")),
        // len() and __getitem__ exist: str, list, tuple, dict, and Undefined (whose __getitem__ raises when called).
        ["sequence"] = (_, v, a) => v is string or List<object?> or PyTuple or PyDict or Undefined,
        ["string"] = (_, v, a) => v is string,
        ["test"] = (_, v, a) => v is string name && Find(name) is not null,
        ["true"] = (_, v, a) => v is true,
        ["undefined"] = (_, v, a) => v is Undefined,
        ["upper"] = (_, v, a) => PyRepr.Str(v) is var s && s.Any(char.IsUpper) && !s.Any(char.IsLower),
    };

    static JinjaTests()
    {
        (string[] Names, Func<object?, object?, bool> Holds)[] comparisons =
        [
            (["==", "eq", "equalto"], Py.Equal),
            (["!=", "ne"], (x, y) => !Py.Equal(x, y)),
            ([">", "gt", "greaterthan"], (x, y) => Py.Compare(x, y, ">") > 0),
            ([">=", "ge"], (x, y) => Py.Compare(x, y, ">=") >= 0),
            (["<", "lt", "lessthan"], (x, y) => Py.Compare(x, y, "<") < 0),
            (["<=", "le"], (x, y) => Py.Compare(x, y, "<=") <= 0),
        ];
        foreach (var (names, holds) in comparisons)
            foreach (var name in names)
                Registry[name] = (_, v, a) => holds(v, Arg(a, name));
    }

    public static TestFunction? Find(string name) => Registry.GetValueOrDefault(name);

    private static object? Arg(Args args, string test)
    {
        var value = args.Bind(test, "other")[0];
        return Args.IsMissing(value) ? throw new TemplateRuntimeError($"test '{test}' requires an argument") : value;
    }

    // Python's `is`: identity, which for the interned singletons None/True/False and small ints means equality.
    private static bool SameAs(object? value, object? other) => value switch
    {
        null => other is null,
        bool b => other is bool o && o == b,
        long l => other is long o && o == l && l is >= -5 and <= 256,
        _ => ReferenceEquals(value, other),
    };
}
