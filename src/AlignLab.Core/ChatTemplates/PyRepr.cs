using System.Globalization;
using System.Text;

namespace AlignLab.Core.ChatTemplates;

/// <summary>
/// Python's str() and repr(): what {{ value }} prints. None prints "None", True "True", and a list prints as
/// its repr (['a', 1]), so a template that prints a container must match CPython character for character.
/// </summary>
internal static class PyRepr
{
    public static string Str(object? value) => value switch
    {
        string s => s,
        Undefined => "",
        _ => Repr(value),
    };

    public static string Repr(object? value)
    {
        var sb = new StringBuilder();
        AppendRepr(sb, value);
        return sb.ToString();
    }

    private static void AppendRepr(StringBuilder sb, object? value)
    {
        switch (value)
        {
            case null: sb.Append("None"); break;
            case bool b: sb.Append(b ? "True" : "False"); break;
            case long l: sb.Append(l.ToString(CultureInfo.InvariantCulture)); break;
            case double d: sb.Append(Float(d)); break;
            case string s: AppendQuoted(sb, s); break;
            case Undefined: sb.Append("Undefined"); break;
            case List<object?> list: AppendItems(sb, "[", list, "]"); break;
            case PyTuple t: AppendItems(sb, "(", t, t.Count == 1 ? ",)" : ")"); break;
            case PyDict d:
                sb.Append('{');
                var first = true;
                foreach (var (key, item) in d)
                {
                    if (!first) sb.Append(", ");
                    first = false;
                    AppendRepr(sb, key);
                    sb.Append(": ");
                    AppendRepr(sb, item);
                }
                sb.Append('}');
                break;
            case Namespace ns:
                sb.Append("<Namespace {");
                var firstAttribute = true;
                foreach (var (key, item) in ns.Attributes)
                {
                    if (!firstAttribute) sb.Append(", ");
                    firstAttribute = false;
                    AppendQuoted(sb, key);
                    sb.Append(": ");
                    AppendRepr(sb, item);
                }
                sb.Append("}>");
                break;
            case LoopContext loop: sb.Append($"<LoopContext {loop.Index0 + 1}/{loop.Items.Count}>"); break;
            case PyDictView v: AppendItems(sb, v.TypeName + "([", v.Items, "])"); break;
            case PyIterator it: sb.Append($"<{it.TypeName} object>"); break;
            case Macro m: sb.Append($"<Macro '{m.Name}'>"); break;
            case BoundMethod bm: sb.Append($"<built-in method {bm.Name} of {Py.TypeName(bm.Receiver)} object>"); break;
            case IPyCallable f: sb.Append($"<function {f.Name}>"); break;
            default: sb.Append(value); break;
        }
    }

    private static void AppendItems(StringBuilder sb, string open, IReadOnlyList<object?> items, string close)
    {
        sb.Append(open);
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0) sb.Append(", ");
            AppendRepr(sb, items[i]);
        }
        sb.Append(close);
    }

    // CPython picks single quotes unless the text has a single quote and no double quote.
    private static void AppendQuoted(StringBuilder sb, string s)
    {
        var quote = s.Contains('\'') && !s.Contains('"') ? '"' : '\'';
        sb.Append(quote);
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            var codePoint = char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])
                ? char.ConvertToUtf32(c, s[++i])
                : c;
            switch (codePoint)
            {
                case '\\': sb.Append(@"\\"); break;
                case '\n': sb.Append(@"\n"); break;
                case '\r': sb.Append(@"\r"); break;
                case '\t': sb.Append(@"\t"); break;
                case var q when q == quote: sb.Append('\\').Append(quote); break;
                case < 0x20 or 0x7f: sb.Append($"\\x{codePoint:x2}"); break;
                case < 0x7f: sb.Append((char)codePoint); break;
                default:
                    if (IsPrintable(codePoint)) sb.Append(char.ConvertFromUtf32(codePoint));
                    else if (codePoint <= 0xff) sb.Append($"\\x{codePoint:x2}");
                    else if (codePoint <= 0xffff) sb.Append($"\\u{codePoint:x4}");
                    else sb.Append($"\\U{codePoint:x8}");
                    break;
            }
        }
        sb.Append(quote);
    }

    private static bool IsPrintable(int codePoint)
    {
        if (codePoint is >= 0xD800 and <= 0xDFFF) return false;
        return CharUnicodeInfo.GetUnicodeCategory(codePoint) is not (UnicodeCategory.Control or UnicodeCategory.Format
            or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned
            or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.SpaceSeparator);
    }

    /// <summary>repr(float): the shortest round-trip digits, scientific below 1e-4 and from 1e16 on.</summary>
    public static string Float(double d)
    {
        if (double.IsNaN(d)) return "nan";
        if (double.IsInfinity(d)) return d > 0 ? "inf" : "-inf";
        if (d == 0) return double.IsNegative(d) ? "-0.0" : "0.0";
        var r = Math.Abs(d).ToString("R", CultureInfo.InvariantCulture);
        var e = r.IndexOf('E');
        var exponent = e < 0 ? 0 : int.Parse(r[(e + 1)..], CultureInfo.InvariantCulture);
        var mantissa = e < 0 ? r : r[..e];
        var point = mantissa.IndexOf('.');
        var digits = mantissa.Replace(".", "");
        var decimalPoint = (point < 0 ? mantissa.Length : point) + exponent;
        var leadingZeros = digits.Length - digits.TrimStart('0').Length;
        digits = digits.Trim('0');
        decimalPoint -= leadingZeros;
        var sign = d < 0 ? "-" : "";
        if (decimalPoint is > -4 and <= 16)
        {
            if (decimalPoint <= 0) return $"{sign}0.{new string('0', -decimalPoint)}{digits}";
            if (decimalPoint >= digits.Length) return $"{sign}{digits}{new string('0', decimalPoint - digits.Length)}.0";
            return $"{sign}{digits[..decimalPoint]}.{digits[decimalPoint..]}";
        }
        var fraction = digits.Length > 1 ? "." + digits[1..] : "";
        var exp = decimalPoint - 1;
        return $"{sign}{digits[0]}{fraction}e{(exp < 0 ? '-' : '+')}{Math.Abs(exp):00}";
    }
}
