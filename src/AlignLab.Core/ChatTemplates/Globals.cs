using System.Globalization;
using System.Text;

namespace AlignLab.Core.ChatTemplates;

/// <summary>
/// Functions every template can call: jinja2's range/namespace/dict and the two transformers adds,
/// raise_exception(message) and strftime_now(format). (jinja2's lipsum, cycler and joiner are not provided.)
/// </summary>
internal static class Globals
{
    // The sandbox's safe_range refuses longer ranges; a chat template never needs one.
    private const long MaxRange = 100_000;

    /// <summary>The outermost scope, shared by all renders; a render's own variables live in a child scope.</summary>
    public static readonly Scope Scope = CreateScope();

    private static Scope CreateScope()
    {
        var scope = new Scope(null);
        foreach (var function in new[]
        {
            new BuiltinFunction("range", (_, args) => Range(args)),
            new BuiltinFunction("namespace", (_, args) => Namespace(args)),
            new BuiltinFunction("dict", (_, args) => Dict(args)),
            new BuiltinFunction("raise_exception", (_, args) => throw new ChatTemplateException(PyRepr.Str(args.Bind("raise_exception", "message")[0]))),
            new BuiltinFunction("strftime_now", (_, args) => StrftimeNow(args)),
        })
            scope.Set(function.Name, function);
        return scope;
    }

    private static List<object?> Range(Args args)
    {
        if (args.Keywords.Count > 0) throw new TemplateRuntimeError("range() takes no keyword arguments");
        var n = args.Positional.Select(Py.ToLong).ToArray();
        var (start, stop, step) = n.Length switch
        {
            1 => (0L, n[0], 1L),
            2 => (n[0], n[1], 1L),
            3 => (n[0], n[1], n[2]),
            _ => throw new TemplateRuntimeError($"range expected 1 to 3 arguments, got {n.Length}"),
        };
        if (step == 0) throw new TemplateRuntimeError("range() arg 3 must not be zero");
        var count = step > 0 ? (stop - start + step - 1) / step : (start - stop - step - 1) / -step;
        if (count > MaxRange) throw new TemplateRuntimeError($"Range too big. The sandbox blocks ranges larger than MAX_RANGE ({MaxRange}).");
        var items = new List<object?>((int)Math.Max(0, count));
        for (var i = start; step > 0 ? i < stop : i > stop; i += step) items.Add(i);
        return items;
    }

    private static Namespace Namespace(Args args)
    {
        var ns = new Namespace();
        foreach (var (key, value) in Dict(args))
            ns.Attributes[key as string ?? throw new TemplateRuntimeError("namespace attribute names must be strings")] = value;
        return ns;
    }

    // dict(mapping or pairs, **kwargs), as Python's constructor.
    private static PyDict Dict(Args args)
    {
        if (args.Positional.Count > 1) throw new TemplateRuntimeError($"dict expected at most 1 argument, got {args.Positional.Count}");
        var dict = new PyDict();
        if (args.Positional.Count == 1)
        {
            if (args.Positional[0] is PyDict source)
                foreach (var (key, value) in source) dict.Set(key, value);
            else
                foreach (var pair in Py.Iterate(args.Positional[0]))
                {
                    var items = Py.ToList(pair);
                    if (items.Count != 2) throw new TemplateRuntimeError("dictionary update sequence element has wrong length; 2 is required");
                    dict.Set(items[0], items[1]);
                }
        }
        foreach (var (key, value) in args.Keywords) dict.Set(key, value);
        return dict;
    }

    /// <summary>datetime.now().strftime(format): the output depends on the clock, so renders that use it vary.</summary>
    private static string StrftimeNow(Args args)
    {
        var format = args.Bind("strftime_now", "format")[0] as string ?? throw new TemplateRuntimeError("strftime() argument 1 must be str");
        return Strftime(DateTime.Now, format);
    }

    private static string Strftime(DateTime t, string format)
    {
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] != '%' || i + 1 >= format.Length)
            {
                sb.Append(format[i]);
                continue;
            }
            // glibc's "%-d" drops the zero padding; Llama 3.x templates use it for "26 Jul 2024".
            var unpadded = format[i + 1] == '-' && i + 2 < format.Length;
            var code = format[unpadded ? i + 2 : i + 1];
            i += unpadded ? 2 : 1;
            string Num(int value, int width) => unpadded ? value.ToString(c) : value.ToString(new string('0', width), c);
            sb.Append(code switch
            {
                'Y' => t.Year.ToString(c),
                'y' => Num(t.Year % 100, 2),
                'm' => Num(t.Month, 2),
                'd' => Num(t.Day, 2),
                'e' => t.Day.ToString(c).PadLeft(unpadded ? 0 : 2),
                'H' => Num(t.Hour, 2),
                'I' => Num(t.Hour % 12 == 0 ? 12 : t.Hour % 12, 2),
                'M' => Num(t.Minute, 2),
                'S' => Num(t.Second, 2),
                'f' => (t.Ticks % TimeSpan.TicksPerSecond / 10).ToString("000000", c),
                'j' => Num(t.DayOfYear, 3),
                'p' => t.Hour < 12 ? "AM" : "PM",
                'a' => t.ToString("ddd", c),
                'A' => t.ToString("dddd", c),
                'b' or 'h' => t.ToString("MMM", c),
                'B' => t.ToString("MMMM", c),
                'w' => ((int)t.DayOfWeek).ToString(c),
                'u' => (t.DayOfWeek == DayOfWeek.Sunday ? 7 : (int)t.DayOfWeek).ToString(c),
                'D' => t.ToString("MM/dd/yy", c),
                'F' => t.ToString("yyyy-MM-dd", c),
                'T' => t.ToString("HH:mm:ss", c),
                'R' => t.ToString("HH:mm", c),
                'c' => t.ToString("ddd MMM ", c) + t.Day.ToString(c).PadLeft(2) + t.ToString(" HH:mm:ss yyyy", c),
                'x' => t.ToString("MM/dd/yy", c),
                'X' => t.ToString("HH:mm:ss", c),
                // datetime.now() is naive: no time zone name or offset.
                'Z' or 'z' => "",
                '%' => "%",
                _ => "%" + (unpadded ? "-" : "") + code,
            });
        }
        return sb.ToString();
    }
}
