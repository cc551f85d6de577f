using System.Text;

namespace AlignLab.Core.ChatTemplates;

/// <summary>
/// Python's str semantics on .NET strings. Python counts and indexes code points while .NET uses UTF-16 units,
/// so text with surrogate pairs (emoji) goes through a code-point path; everything else stays on the fast path.
/// </summary>
internal static class PyText
{
    private static readonly string[] AsciiChars = Enumerable.Range(0, 128).Select(c => ((char)c).ToString()).ToArray();

    /// <summary>str.isspace, which also drives str.strip/split and the lexer's \s: .NET misses \x1c-\x1f.</summary>
    public static bool IsSpace(char c) => char.IsWhiteSpace(c) || c is >= '\x1c' and <= '\x1f';

    public static bool HasSurrogates(string s) => s.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') >= 0;

    public static int Length(string s)
    {
        if (!HasSurrogates(s)) return s.Length;
        var pairs = 0;
        for (var i = 0; i + 1 < s.Length; i++)
            if (char.IsHighSurrogate(s[i]) && char.IsLowSurrogate(s[i + 1])) { pairs++; i++; }
        return s.Length - pairs;
    }

    /// <summary>The code points of s, each as a string, as Python iterates a str.</summary>
    public static string[] Elements(string s)
    {
        var result = new List<string>(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            var pair = char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]);
            result.Add(pair ? s.Substring(i++, 2) : s[i] < 128 ? AsciiChars[s[i]] : s[i].ToString());
        }
        return [.. result];
    }

    public static IEnumerable<object?> CodePoints(string s) => Elements(s);

    /// <summary>s[start:stop:step] with Python's clamping rules, counting code points.</summary>
    public static string Slice(string s, long? start, long? stop, long? step)
    {
        if (!HasSurrogates(s))
        {
            var (from, to, by) = PySlice.Indices(s.Length, start, stop, step);
            if (by == 1) return from < to ? s[(int)from..(int)to] : "";
            var sb = new StringBuilder();
            foreach (var i in PySlice.Range(from, to, by)) sb.Append(s[(int)i]);
            return sb.ToString();
        }
        var elements = Elements(s);
        var (f, t, b) = PySlice.Indices(elements.Length, start, stop, step);
        return string.Concat(PySlice.Range(f, t, b).Select(i => elements[i]));
    }

    public static string Strip(string s, string? chars) => RStrip(LStrip(s, chars), chars);

    public static string LStrip(string s, string? chars = null)
    {
        var i = 0;
        while (i < s.Length && (chars is null ? IsSpace(s[i]) : chars.Contains(s[i]))) i++;
        return s[i..];
    }

    public static string RStrip(string s, string? chars = null)
    {
        var end = s.Length;
        while (end > 0 && (chars is null ? IsSpace(s[end - 1]) : chars.Contains(s[end - 1]))) end--;
        return s[..end];
    }

    public static List<object?> Split(string s, string? sep, long maxSplit)
    {
        var parts = new List<object?>();
        if (sep is null)
        {
            var i = 0;
            while (true)
            {
                while (i < s.Length && IsSpace(s[i])) i++;
                if (i >= s.Length) break;
                if (maxSplit >= 0 && parts.Count == maxSplit)
                {
                    parts.Add(s[i..]);
                    break;
                }
                var start = i;
                while (i < s.Length && !IsSpace(s[i])) i++;
                parts.Add(s[start..i]);
            }
            return parts;
        }
        if (sep.Length == 0) throw new TemplateRuntimeError("empty separator");
        var from = 0;
        while (maxSplit < 0 || parts.Count < maxSplit)
        {
            var at = s.IndexOf(sep, from, StringComparison.Ordinal);
            if (at < 0) break;
            parts.Add(s[from..at]);
            from = at + sep.Length;
        }
        parts.Add(s[from..]);
        return parts;
    }

    public static List<object?> RSplit(string s, string? sep, long maxSplit)
    {
        if (maxSplit < 0) return Split(s, sep, maxSplit);
        var parts = new List<object?>();
        if (sep is null)
        {
            var i = s.Length;
            while (true)
            {
                while (i > 0 && IsSpace(s[i - 1])) i--;
                if (i == 0) break;
                if (parts.Count == maxSplit)
                {
                    parts.Add(s[..i]);
                    break;
                }
                var end = i;
                while (i > 0 && !IsSpace(s[i - 1])) i--;
                parts.Add(s[i..end]);
            }
        }
        else
        {
            if (sep.Length == 0) throw new TemplateRuntimeError("empty separator");
            var end = s.Length;
            while (parts.Count < maxSplit)
            {
                var at = end - sep.Length < 0 ? -1 : s.LastIndexOf(sep, end - 1, StringComparison.Ordinal);
                if (at < 0 || at + sep.Length > end) break;
                parts.Add(s[(at + sep.Length)..end]);
                end = at;
            }
            parts.Add(s[..end]);
        }
        parts.Reverse();
        return parts;
    }

    public static List<object?> SplitLines(string s, bool keepEnds)
    {
        var lines = new List<object?>();
        var start = 0;
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c is not ('\n' or '\r' or '\v' or '\f' or '\x1c' or '\x1d' or '\x1e' or '\x85' or '\u2028' or '\u2029')) continue;
            var breakEnd = c == '\r' && i + 1 < s.Length && s[i + 1] == '\n' ? i + 2 : i + 1;
            lines.Add(s[start..(keepEnds ? breakEnd : i)]);
            start = breakEnd;
            i = breakEnd - 1;
        }
        if (start < s.Length) lines.Add(s[start..]);
        return lines;
    }

    /// <summary>str.title: a cased character starts a word when the one before it is not cased ("they'Re").</summary>
    public static string Title(string s)
    {
        var sb = new StringBuilder(s.Length);
        var previousCased = false;
        foreach (var c in s)
        {
            var cased = char.IsUpper(c) || char.IsLower(c);
            sb.Append(!cased ? c : previousCased ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c));
            previousCased = cased;
        }
        return sb.ToString();
    }

    /// <summary>str.upper: .NET's simple case mapping plus the one-to-many mappings Python applies (ß → SS, ﬁ → FI).</summary>
    public static string Upper(string s)
    {
        var upper = s.ToUpperInvariant();
        if (upper.AsSpan().IndexOfAny('ß', '\uFB00', '\uFB01') < 0 && upper.AsSpan().IndexOfAnyInRange('\uFB02', '\uFB06') < 0) return upper;
        return upper.Replace("ß", "SS").Replace("\uFB00", "FF").Replace("\uFB01", "FI").Replace("\uFB02", "FL")
            .Replace("\uFB03", "FFI").Replace("\uFB04", "FFL").Replace("\uFB05", "ST").Replace("\uFB06", "ST");
    }

    /// <summary>str.lower: .NET's simple case mapping plus Python's İ → i̇ (two code points).</summary>
    public static string Lower(string s) => s.Contains('\u0130') ? s.Replace("\u0130", "i\u0307").ToLowerInvariant() : s.ToLowerInvariant();

    public static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..].ToLowerInvariant();

    public static string Pad(string s, long width, char fill, char align)
    {
        var length = Length(s);
        if (width <= length) return s;
        var total = (int)(width - length);
        var left = align switch { '<' => 0, '>' => total, _ => total / 2 + (total & (int)(width & 1)) };
        return new string(fill, left) + s + new string(fill, total - left);
    }
}

/// <summary>Python's slice.indices(): normalises start/stop/step against a length.</summary>
internal static class PySlice
{
    public static (long Start, long Stop, long Step) Indices(long length, long? start, long? stop, long? step)
    {
        var by = step ?? 1;
        if (by == 0) throw new TemplateRuntimeError("slice step cannot be zero");
        var (lower, upper) = by > 0 ? (0L, length) : (-1L, length - 1);
        return (Clamp(start, by > 0 ? lower : upper), Clamp(stop, by > 0 ? upper : lower), by);

        long Clamp(long? index, long fallback)
        {
            if (index is not { } i) return fallback;
            if (i < 0) i += length;
            return Math.Clamp(i, lower, upper);
        }
    }

    public static IEnumerable<int> Range(long start, long stop, long step)
    {
        for (var i = start; step > 0 ? i < stop : i > stop; i += step) yield return (int)i;
    }
}
