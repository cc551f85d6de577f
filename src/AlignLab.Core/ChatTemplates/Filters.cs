using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace AlignLab.Core.ChatTemplates;

internal delegate object? FilterFunction(Interpreter interpreter, object? value, Args args);

/// <summary>
/// jinja2's builtin filters (jinja2/filters.py) plus transformers' tojson. This file holds the registry and the
/// filters on single values; SequenceFilters.cs has those over sequences. Filters not listed here (groupby,
/// wordwrap, urlize, xmlattr, random, ...) are unknown names, reported like a typo would be.
/// </summary>
internal static partial class Filters
{
    private static readonly Dictionary<string, FilterFunction> Registry = new(StringComparer.Ordinal)
    {
        ["abs"] = Abs,
        ["attr"] = (_, v, a) => Attr(v, a),
        ["capitalize"] = (_, v, a) => PyText.Capitalize(Str(v, a, "capitalize")),
        ["center"] = (_, v, a) => PyText.Pad(PyRepr.Str(v), Py.ToLong(Args.Or(a.Bind("center", "width")[0], 80L)), ' ', '^'),
        ["count"] = (_, v, a) => Py.Length(v),
        ["d"] = Default,
        ["default"] = Default,
        ["e"] = (_, v, a) => Escape(v),
        ["escape"] = (_, v, a) => Escape(v),
        ["forceescape"] = (_, v, a) => Escape(v),
        ["float"] = ToFloat,
        ["format"] = Format,
        ["indent"] = Indent,
        ["int"] = ToInt,
        ["length"] = (_, v, a) => Py.Length(v),
        ["lower"] = (_, v, a) => PyText.Lower(Str(v, a, "lower")),
        ["replace"] = Replace,
        ["round"] = Round,
        ["safe"] = (_, v, a) => PyRepr.Str(v),
        ["string"] = (_, v, a) => PyRepr.Str(v),
        ["title"] = (_, v, a) => Title(Str(v, a, "title")),
        ["tojson"] = ToJson,
        ["trim"] = (_, v, a) => PyText.Strip(PyRepr.Str(v), Args.Or(a.Bind("trim", "chars")[0], null) as string),
        ["truncate"] = Truncate,
        ["upper"] = (_, v, a) => PyText.Upper(Str(v, a, "upper")),
        ["wordcount"] = (_, v, a) => (long)WordRegex().Count(Str(v, a, "wordcount")),
    };

    static Filters() => RegisterSequenceFilters(Registry);

    public static FilterFunction? Find(string name) => Registry.GetValueOrDefault(name);

    private static string Str(object? value, Args args, string filter)
    {
        args.Bind(filter);
        return PyRepr.Str(value);
    }

    private static object? Abs(Interpreter _, object? value, Args args) => value switch
    {
        long l => (object)checked(Math.Abs(l)),
        bool b => b ? 1L : 0L,
        double d => Math.Abs(d),
        _ => throw new TemplateRuntimeError($"bad operand type for abs(): '{Py.TypeName(value)}'"),
    };

    // foo|attr("bar") is foo.bar without the fallback to foo["bar"].
    private static object? Attr(object? value, Args args)
    {
        var name = args.Bind("attr", "name")[0] as string ?? throw new TemplateRuntimeError("attribute name must be a string");
        return value switch
        {
            Namespace or LoopContext or Undefined => Access.GetAttribute(value, name),
            not null when Methods.Has(value, name) => Access.GetAttribute(value, name),
            _ => Undefined.Attribute(value, name),
        };
    }

    private static object? Default(Interpreter _, object? value, Args args)
    {
        var a = args.Bind("default", "default_value", "boolean");
        var fallback = Args.Or(a[0], "");
        return value is Undefined || Py.Truthy(Args.Or(a[1], false)) && !Py.Truthy(value) ? fallback : value;
    }

    // markupsafe.escape: the five HTML-special characters, with numeric entities for the quotes.
    private static string Escape(object? value) => PyRepr.Str(value)
        .Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&#34;").Replace("'", "&#39;");

    private static object? ToFloat(Interpreter _, object? value, Args args)
    {
        var fallback = Args.Or(args.Bind("float", "default")[0], 0.0);
        return value switch
        {
            double d => d,
            long or bool => Py.ToDouble(value),
            string s when ParseFloat(s) is { } parsed => parsed,
            _ => fallback,
        };
    }

    private static object? ToInt(Interpreter _, object? value, Args args)
    {
        var a = args.Bind("int", "default", "base");
        var fallback = Args.Or(a[0], 0L);
        var numberBase = (int)Py.ToLong(Args.Or(a[1], 10L));
        switch (value)
        {
            case long or bool: return Py.ToLong(value);
            case double d when !double.IsNaN(d) && !double.IsInfinity(d): return (long)Math.Truncate(d);
            case string s:
                var text = s.Trim().Replace("_", "");
                var negative = text.StartsWith('-');
                if (negative || text.StartsWith('+')) text = text[1..];
                if (numberBase == 16 && text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) text = text[2..];
                else if (numberBase == 8 && text.StartsWith("0o", StringComparison.OrdinalIgnoreCase)) text = text[2..];
                else if (numberBase == 2 && text.StartsWith("0b", StringComparison.OrdinalIgnoreCase)) text = text[2..];
                try
                {
                    if (text.Length > 0 && numberBase is 2 or 8 or 10 or 16)
                    {
                        var parsed = Convert.ToInt64(text, numberBase);
                        if (numberBase != 10 || text.All(char.IsAsciiDigit)) return negative ? -parsed : parsed;
                    }
                }
                catch (FormatException) { }
                catch (OverflowException) { }
                // jinja2's quirk: "42.23"|int is 42, through float().
                return ParseFloat(s) is { } f && !double.IsNaN(f) && !double.IsInfinity(f) ? (long)Math.Truncate(f) : fallback;
            default: return fallback;
        }
    }

    // Python's float(str): surrounding whitespace, underscores between digits, inf/infinity/nan in any case.
    private static double? ParseFloat(string s)
    {
        var text = s.Trim().Replace("_", "").ToLowerInvariant();
        var unsigned = text.TrimStart('+', '-');
        var negative = text.StartsWith('-');
        if (unsigned is "inf" or "infinity") return negative ? double.NegativeInfinity : double.PositiveInfinity;
        if (unsigned == "nan") return double.NaN;
        if (unsigned.Length == 0 || !unsigned.All(c => char.IsAsciiDigit(c) || c is '.' or 'e' or '+' or '-')) return null;
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null;
    }

    private static object? Format(Interpreter _, object? value, Args args)
    {
        if (args.Positional.Count > 0 && args.Keywords.Count > 0)
            throw new TemplateRuntimeError("can't handle positional and keyword arguments at the same time");
        object? values = args.Keywords.Count > 0 ? KeywordsAsDict(args) : new PyTuple([.. args.Positional]);
        return PyFormat.Percent(PyRepr.Str(value), values);
    }

    private static PyDict KeywordsAsDict(Args args)
    {
        var dict = new PyDict();
        foreach (var (key, value) in args.Keywords) dict.Set(key, value);
        return dict;
    }

    private static object? Indent(Interpreter _, object? value, Args args)
    {
        var a = args.Bind("indent", "width", "first", "blank");
        var width = Args.Or(a[0], 4L);
        var indention = width as string ?? new string(' ', (int)Math.Max(0, Py.ToLong(width)));
        var first = Py.Truthy(Args.Or(a[1], false));
        var blank = Py.Truthy(Args.Or(a[2], false));
        // jinja2 appends "\n" before splitlines(), so a trailing newline does not yield an extra indented line.
        var lines = PyText.SplitLines(PyRepr.Str(value) + "\n", keepEnds: false).Cast<string>().ToList();
        var sb = new StringBuilder(lines[0]);
        for (var i = 1; i < lines.Count; i++)
            sb.Append('\n').Append(blank || lines[i].Length > 0 ? indention + lines[i] : lines[i]);
        return first ? indention + sb : sb.ToString();
    }

    private static object? Replace(Interpreter _, object? value, Args args)
    {
        var a = args.Bind("replace", "old", "new", "count");
        var replaceArgs = Args.Of(PyRepr.Str(a[0]), PyRepr.Str(a[1]));
        if (!Args.IsMissing(a[2]) && a[2] is not null) replaceArgs.Positional.Add(a[2]);
        return Methods.Call(PyRepr.Str(value), "replace", replaceArgs);
    }

    private static object? Round(Interpreter _, object? value, Args args)
    {
        var a = args.Bind("round", "precision", "method");
        var precision = (int)Py.ToLong(Args.Or(a[0], 0L));
        var method = Args.Or(a[1], "common");
        if (method is not ("common" or "ceil" or "floor")) throw new TemplateRuntimeError("method must be common, ceil or floor");
        if (method is "common" && Py.IsInteger(value)) return Py.ToLong(value);
        var number = Py.ToDouble(value);
        var scale = Math.Pow(10, precision);
        if (method is "ceil") return Math.Ceiling(number * scale) / scale;
        if (method is "floor") return Math.Floor(number * scale) / scale;
        if (Math.Abs(number) >= 1e15) return number;
        if (precision < 0 || double.IsNaN(number) || double.IsInfinity(number)) return Math.Round(number / Math.Pow(10, -precision), MidpointRounding.ToEven) * Math.Pow(10, -precision);
        // Python rounds the exact binary value half-to-even: round(2.675, 2) is 2.67. Printing many exact
        // digits and rounding that decimal text reproduces it.
        var exact = decimal.Parse(number.ToString("F" + Math.Min(precision + 20, 28), CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        return (double)Math.Round(exact, precision, MidpointRounding.ToEven);
    }

    private static object? ToJson(Interpreter _, object? value, Args args)
    {
        var a = args.Bind("tojson", "ensure_ascii", "indent", "separators", "sort_keys");
        string? itemSeparator = null, keySeparator = null;
        if (Args.Or(a[2], null) is { } separators)
        {
            var pair = Py.ToList(separators);
            if (pair.Count != 2 || pair[0] is not string item || pair[1] is not string key)
                throw new TemplateRuntimeError("separators must be an (item_separator, key_separator) pair of strings");
            (itemSeparator, keySeparator) = (item, key);
        }
        return Json.Dumps(value, Py.Truthy(Args.Or(a[0], false)), Args.Or(a[1], null), itemSeparator, keySeparator, Py.Truthy(Args.Or(a[3], false)));
    }

    // jinja2's title filter (not str.title): a word starts after a run of whitespace, '-', '(', '{', '[' or '<'.
    private static string Title(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (var part in TitleSplitRegex().Split(s))
            if (part.Length > 0) sb.Append(char.ToUpperInvariant(part[0])).Append(part[1..].ToLowerInvariant());
        return sb.ToString();
    }

    private static object? Truncate(Interpreter _, object? value, Args args)
    {
        var a = args.Bind("truncate", "length", "killwords", "end", "leeway");
        var s = PyRepr.Str(value);
        var length = Py.ToLong(Args.Or(a[0], 255L));
        var end = PyRepr.Str(Args.Or(a[2], "..."));
        var leeway = Py.ToLong(Args.Or(a[3], 5L) ?? 5L);
        if (length < end.Length) throw new TemplateRuntimeError("expected length >= len(end)");
        if (PyText.Length(s) <= length + leeway) return s;
        var cut = PyText.Slice(s, 0, length - end.Length, 1);
        if (Py.Truthy(Args.Or(a[1], false))) return cut + end;
        var space = cut.LastIndexOf(' ');
        return (space < 0 ? cut : cut[..space]) + end;
    }

    [GeneratedRegex(@"([-\s({\[<]+)")]
    private static partial Regex TitleSplitRegex();

    [GeneratedRegex(@"\w+")]
    private static partial Regex WordRegex();
}
