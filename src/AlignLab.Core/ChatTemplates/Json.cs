using System.Globalization;
using System.Text;

namespace AlignLab.Core.ChatTemplates;

/// <summary>
/// The tojson filter as transformers overrides it: json.dumps(x, ensure_ascii=False, indent=None,
/// separators=None, sort_keys=False). Python's defaults matter for byte-identity: ", " and ": " separators on one
/// line, "," and ": " once indent is set, no HTML escaping (jinja2's own tojson would escape &lt; &gt; &amp; ').
/// </summary>
internal static class Json
{
    public static string Dumps(object? value, bool ensureAscii, object? indent, string? itemSeparator, string? keySeparator, bool sortKeys)
    {
        var indentText = indent switch
        {
            null => null,
            string s => s,
            long or bool => new string(' ', (int)Math.Max(0, Py.ToLong(indent))),
            _ => throw new TemplateRuntimeError($"indent must be an int or str, not {Py.TypeName(indent)}"),
        };
        var writer = new Writer(ensureAscii, indentText, itemSeparator ?? (indentText is null ? ", " : ","), keySeparator ?? ": ", sortKeys);
        writer.Write(value, 0);
        return writer.ToString();
    }

    private sealed class Writer(bool ensureAscii, string? indent, string itemSeparator, string keySeparator, bool sortKeys)
    {
        private readonly StringBuilder _sb = new();

        public override string ToString() => _sb.ToString();

        public void Write(object? value, int depth)
        {
            switch (value)
            {
                case null: _sb.Append("null"); break;
                case bool b: _sb.Append(b ? "true" : "false"); break;
                case long l: _sb.Append(l.ToString(CultureInfo.InvariantCulture)); break;
                case double d: _sb.Append(Float(d)); break;
                case string s: WriteString(s); break;
                case List<object?> or PyTuple: WriteArray((IReadOnlyList<object?>)value, depth); break;
                case PyDict dict: WriteObject(dict, depth); break;
                default: throw new TemplateRuntimeError($"Object of type {Py.TypeName(value)} is not JSON serializable");
            }
        }

        private void WriteArray(IReadOnlyList<object?> items, int depth)
        {
            if (items.Count == 0)
            {
                _sb.Append("[]");
                return;
            }
            _sb.Append('[');
            for (var i = 0; i < items.Count; i++)
            {
                _sb.Append(i == 0 ? "" : itemSeparator);
                NewLine(depth + 1);
                Write(items[i], depth + 1);
            }
            NewLine(depth);
            _sb.Append(']');
        }

        private void WriteObject(PyDict dict, int depth)
        {
            if (dict.Count == 0)
            {
                _sb.Append("{}");
                return;
            }
            IEnumerable<KeyValuePair<object?, object?>> pairs = dict;
            if (sortKeys) pairs = pairs.OrderBy(p => p.Key, Comparer<object?>.Create((a, b) => Py.Compare(a, b)));
            _sb.Append('{');
            var first = true;
            foreach (var (key, item) in pairs)
            {
                _sb.Append(first ? "" : itemSeparator);
                first = false;
                NewLine(depth + 1);
                WriteString(KeyText(key));
                _sb.Append(keySeparator);
                Write(item, depth + 1);
            }
            NewLine(depth);
            _sb.Append('}');
        }

        // json.dumps turns non-string keys into strings the way it would write them as values.
        private static string KeyText(object? key) => key switch
        {
            string s => s,
            null => "null",
            bool b => b ? "true" : "false",
            long l => l.ToString(CultureInfo.InvariantCulture),
            double d => Float(d),
            _ => throw new TemplateRuntimeError($"keys must be str, int, float, bool or None, not {Py.TypeName(key)}"),
        };

        private void NewLine(int depth)
        {
            if (indent is null) return;
            _sb.Append('\n');
            for (var i = 0; i < depth; i++) _sb.Append(indent);
        }

        private void WriteString(string s)
        {
            _sb.Append('"');
            foreach (var c in s)
            {
                switch (c)
                {
                    case '"': _sb.Append("\\\""); break;
                    case '\\': _sb.Append("\\\\"); break;
                    case '\n': _sb.Append("\\n"); break;
                    case '\r': _sb.Append("\\r"); break;
                    case '\t': _sb.Append("\\t"); break;
                    case '\b': _sb.Append("\\b"); break;
                    case '\f': _sb.Append("\\f"); break;
                    case < ' ': _sb.Append($"\\u{(int)c:x4}"); break;
                    // ensure_ascii escapes UTF-16 units, so an astral character becomes its surrogate pair.
                    case > '~' when ensureAscii: _sb.Append($"\\u{(int)c:x4}"); break;
                    default: _sb.Append(c); break;
                }
            }
            _sb.Append('"');
        }

        private static string Float(double d) =>
            double.IsNaN(d) ? "NaN" : double.IsPositiveInfinity(d) ? "Infinity" : double.IsNegativeInfinity(d) ? "-Infinity" : PyRepr.Float(d);
    }
}
