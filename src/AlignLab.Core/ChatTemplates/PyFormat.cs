using System.Globalization;
using System.Text;

namespace AlignLab.Core.ChatTemplates;

/// <summary>
/// Python's two string formatting languages: printf-style ("%s: %d" % (a, b), the format filter) and str.format
/// ("{}: {:>4}".format(a, b)). The common conversions are covered; the rare ones (%g, {:g}, nested {} in a spec)
/// raise rather than guess.
/// </summary>
internal static class PyFormat
{
    public static string Percent(string format, object? args)
    {
        var positional = args is PyTuple tuple ? tuple.Items : [args];
        var mapping = args as PyDict;
        var next = 0;
        var sb = new StringBuilder();
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] != '%')
            {
                sb.Append(format[i]);
                continue;
            }
            if (++i >= format.Length) throw new TemplateRuntimeError("incomplete format");
            object? value = null;
            var haveValue = false;
            if (format[i] == '(')
            {
                var close = format.IndexOf(')', i);
                if (close < 0 || mapping is null) throw new TemplateRuntimeError("format requires a mapping");
                if (!mapping.TryGetValue(format[(i + 1)..close], out value)) throw new TemplateRuntimeError($"KeyError: '{format[(i + 1)..close]}'");
                haveValue = true;
                i = close + 1;
            }
            var flags = "";
            while (i < format.Length && "-+ 0#".Contains(format[i])) flags += format[i++];
            var width = ReadNumber(format, ref i, () => Py.ToLong(NextValue()));
            long? precision = null;
            if (i < format.Length && format[i] == '.')
            {
                i++;
                precision = ReadNumber(format, ref i, () => Py.ToLong(NextValue())) ?? 0;
            }
            while (i < format.Length && format[i] is 'h' or 'l' or 'L') i++;
            if (i >= format.Length) throw new TemplateRuntimeError("incomplete format");
            var type = format[i];
            if (type == '%')
            {
                sb.Append('%');
                continue;
            }
            if (!haveValue) value = NextValue();
            var body = type switch
            {
                's' => Truncate(PyRepr.Str(value), precision),
                'r' or 'a' => Truncate(PyRepr.Repr(value), precision),
                'd' or 'i' or 'u' => Integer(value, 'd', flags),
                'x' or 'X' or 'o' => Integer(value, type, flags),
                'f' or 'F' or 'e' or 'E' => Real(Number(value), type, precision ?? 6, flags),
                'c' => value is string c ? c : char.ConvertFromUtf32((int)Py.ToLong(value)),
                _ => throw new TemplateRuntimeError($"unsupported format character '{type}'"),
            };
            var zeroPad = flags.Contains('0') && !flags.Contains('-') && type is not ('s' or 'r' or 'a' or 'c');
            sb.Append(Pad(body, width ?? 0, flags.Contains('-') ? '<' : zeroPad ? '=' : '>', zeroPad ? '0' : ' '));
        }
        if (mapping is null && next < positional.Length) throw new TemplateRuntimeError("not all arguments converted during string formatting");
        return sb.ToString();

        object? NextValue()
        {
            if (mapping is not null && args is not PyTuple) return mapping;
            if (next >= positional.Length) throw new TemplateRuntimeError("not enough arguments for format string");
            return positional[next++];
        }
    }

    /// <summary>str.format: {} {0} {name} {name.attr} {0[key]}, !r/!s conversions and a format spec.</summary>
    public static string Format(string format, Args args)
    {
        var sb = new StringBuilder();
        var auto = 0;
        for (var i = 0; i < format.Length; i++)
        {
            var c = format[i];
            if (c == '}')
            {
                if (i + 1 < format.Length && format[i + 1] == '}') i++;
                else throw new TemplateRuntimeError("Single '}' encountered in format string");
                sb.Append('}');
                continue;
            }
            if (c != '{')
            {
                sb.Append(c);
                continue;
            }
            if (i + 1 < format.Length && format[i + 1] == '{')
            {
                sb.Append('{');
                i++;
                continue;
            }
            var close = format.IndexOf('}', i);
            if (close < 0) throw new TemplateRuntimeError("expected '}' before end of string");
            var field = format[(i + 1)..close];
            if (field.Contains('{')) throw new TemplateRuntimeError("nested replacement fields in a format spec are not supported");
            i = close;
            var specAt = field.IndexOf(':');
            var spec = specAt < 0 ? "" : field[(specAt + 1)..];
            if (specAt >= 0) field = field[..specAt];
            var conversion = '\0';
            if (field.Length >= 2 && field[^2] == '!')
            {
                conversion = field[^1];
                field = field[..^2];
            }
            var value = Lookup(field, args, ref auto);
            if (conversion is 'r' or 'a') value = PyRepr.Repr(value);
            else if (conversion == 's') value = PyRepr.Str(value);
            sb.Append(ApplySpec(value, spec));
        }
        return sb.ToString();
    }

    private static object? Lookup(string field, Args args, ref int auto)
    {
        var end = field.IndexOfAny(['.', '[']);
        var head = end < 0 ? field : field[..end];
        object? value;
        if (head.Length == 0) value = Positional(auto++);
        else if (head.All(char.IsAsciiDigit)) value = Positional(int.Parse(head, CultureInfo.InvariantCulture));
        else
        {
            var keyword = args.Keywords.FindIndex(k => k.Key == head);
            if (keyword < 0) throw new TemplateRuntimeError($"KeyError: '{head}'");
            value = args.Keywords[keyword].Value;
        }
        for (var i = end; i >= 0 && i < field.Length;)
        {
            if (field[i] == '.')
            {
                var stop = field.IndexOfAny(['.', '['], i + 1);
                if (stop < 0) stop = field.Length;
                value = Access.GetAttribute(value, field[(i + 1)..stop]);
                i = stop;
            }
            else
            {
                var stop = field.IndexOf(']', i);
                if (stop < 0) throw new TemplateRuntimeError("Missing ']' in format string");
                var key = field[(i + 1)..stop];
                value = Access.GetItem(value, key.All(char.IsAsciiDigit) && key.Length > 0 ? long.Parse(key, CultureInfo.InvariantCulture) : key);
                i = stop + 1;
            }
        }
        return value;

        object? Positional(int index) => index < args.Positional.Count
            ? args.Positional[index]
            : throw new TemplateRuntimeError($"Replacement index {index} out of range for positional args tuple");
    }

    // format(value, spec): [[fill]align][sign][0][width][,][.precision][type]
    private static string ApplySpec(object? value, string spec)
    {
        if (spec.Length == 0) return PyRepr.Str(value);
        var i = 0;
        char fill = ' ', align = '\0';
        if (spec.Length >= 2 && spec[1] is '<' or '>' or '^' or '=') { fill = spec[0]; align = spec[1]; i = 2; }
        else if (spec[0] is '<' or '>' or '^' or '=') { align = spec[0]; i = 1; }
        var sign = i < spec.Length && spec[i] is '+' or '-' or ' ' ? spec[i++].ToString() : "";
        if (i < spec.Length && spec[i] == '0' && align == '\0') { fill = '0'; align = '='; }
        var width = ReadNumber(spec, ref i, () => throw new TemplateRuntimeError("invalid format spec")) ?? 0;
        var grouping = i < spec.Length && spec[i] == ',' ? spec[i++] == ',' : false;
        long? precision = null;
        if (i < spec.Length && spec[i] == '.') { i++; precision = ReadNumber(spec, ref i, () => 0L) ?? 0; }
        var type = i < spec.Length ? spec[i++] : '\0';
        if (i != spec.Length) throw new TemplateRuntimeError($"Invalid format specifier '{spec}'");
        string body;
        if (value is string s && type is '\0' or 's')
            body = Truncate(s, precision);
        else if (Py.IsInteger(value) && type is '\0' or 'd' or 'x' or 'X' or 'o' or 'b')
            body = type is '\0' or 'd' ? Group(Py.ToLong(value).ToString(CultureInfo.InvariantCulture), grouping) : Integer(value, type, "");
        else if (Py.IsNumber(value) && type is 'f' or 'F' or 'e' or 'E' or '%' || value is double && type == '\0' && precision is null)
            body = type == '%' ? Real(Py.ToDouble(value) * 100, 'f', precision ?? 6, "") + "%"
                : type == '\0' ? PyRepr.Float((double)value!)
                : Real(Py.ToDouble(value), type, precision ?? 6, "");
        else throw new TemplateRuntimeError($"format spec '{spec}' is not supported for a value of type '{Py.TypeName(value)}'");
        if (grouping && type is 'f' or 'F' or '%') body = Group(body, true);
        if (Py.IsNumber(value) && !body.StartsWith('-')) body = (sign is "+" or " " ? sign : "") + body;
        if (align == '\0') align = value is string ? '<' : '>';
        return Pad(body, width, align, fill);
    }

    private static long? ReadNumber(string text, ref int i, Func<long> star)
    {
        if (i < text.Length && text[i] == '*') { i++; return star(); }
        var start = i;
        while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
        return i > start ? long.Parse(text[start..i], CultureInfo.InvariantCulture) : null;
    }

    private static string Truncate(string s, long? precision) =>
        precision is { } p && p < PyText.Length(s) ? PyText.Slice(s, 0, p, 1) : s;

    private static double Number(object? value) => Py.IsNumber(value)
        ? Py.ToDouble(value)
        : throw new TemplateRuntimeError($"must be real number, not {Py.TypeName(value)}");

    private static string Integer(object? value, char type, string flags)
    {
        var n = value is double d ? (long)Math.Truncate(d) : Py.IsInteger(value)
            ? Py.ToLong(value)
            : throw new TemplateRuntimeError($"%{type} format: a real number is required, not {Py.TypeName(value)}");
        var magnitude = type switch
        {
            'x' => Math.Abs(n).ToString("x", CultureInfo.InvariantCulture),
            'X' => Math.Abs(n).ToString("X", CultureInfo.InvariantCulture),
            'o' => Convert.ToString(Math.Abs(n), 8),
            'b' => Convert.ToString(Math.Abs(n), 2),
            _ => Math.Abs(n).ToString(CultureInfo.InvariantCulture),
        };
        return (n < 0 ? "-" : flags.Contains('+') ? "+" : flags.Contains(' ') ? " " : "") + magnitude;
    }

    private static string Real(double d, char type, long precision, string flags)
    {
        string body;
        if (double.IsNaN(d) || double.IsInfinity(d)) body = double.IsNaN(d) ? "nan" : d > 0 ? "inf" : "-inf";
        else if (type is 'f' or 'F') body = d.ToString("F" + precision, CultureInfo.InvariantCulture);
        else
        {
            // .NET writes e+006; Python writes e+06 (at least two exponent digits).
            var raw = d.ToString((type == 'E' ? "E" : "e") + precision, CultureInfo.InvariantCulture);
            var at = raw.IndexOfAny(['e', 'E']);
            body = raw[..(at + 2)] + int.Parse(raw[(at + 2)..], CultureInfo.InvariantCulture).ToString("00", CultureInfo.InvariantCulture);
        }
        if (type == 'F') body = body.ToUpperInvariant();
        return body.StartsWith('-') ? body : (flags.Contains('+') ? "+" : flags.Contains(' ') ? " " : "") + body;
    }

    private static string Group(string digits, bool grouping)
    {
        if (!grouping) return digits;
        var negative = digits.StartsWith('-');
        var core = negative ? digits[1..] : digits;
        var point = core.IndexOf('.');
        var integer = point < 0 ? core : core[..point];
        var sb = new StringBuilder();
        for (var i = 0; i < integer.Length; i++)
        {
            if (i > 0 && (integer.Length - i) % 3 == 0) sb.Append(',');
            sb.Append(integer[i]);
        }
        return (negative ? "-" : "") + sb + (point < 0 ? "" : core[point..]);
    }

    private static string Pad(string body, long width, char align, char fill)
    {
        if (align != '=') return PyText.Pad(body, width, fill, align);
        // '=' pads between the sign and the digits: format(-5, '05') is '-0005'.
        var signLength = body.Length > 0 && body[0] is '-' or '+' or ' ' ? 1 : 0;
        return body[..signLength] + PyText.Pad(body[signLength..], width - signLength, fill, '>');
    }
}
