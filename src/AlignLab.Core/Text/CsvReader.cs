using System.Text;

namespace AlignLab.Core.Text;

/// <summary>Reads comma-separated values as RFC 4180 writes them: a field in double quotes may hold the separator, line
/// breaks and doubled quotes (""), and lines end in CRLF or LF. Each row keeps the 1-based line it starts on, so that an
/// error points where an editor shows the row. A leading byte order mark is dropped and blank lines are skipped; a quote
/// inside an unquoted field is kept as text, as most writers and readers do. A tab as separator reads TSV that quotes
/// the same way.</summary>
public static class CsvReader
{
    /// <summary>One row: the line it starts on, its fields, and what is wrong with its quoting (null when nothing is);
    /// a row with an error keeps what could be read.</summary>
    public sealed record Row(int Line, IReadOnlyList<string> Fields, string? Error = null);

    public static IReadOnlyList<Row> Read(string text, char separator = ',')
    {
        var rows = new List<Row>();
        int i = text.StartsWith('\uFEFF') ? 1 : 0, line = 1;
        while (i < text.Length)
        {
            if (IsLineEnd(text, i)) { i = SkipLineEnd(text, i); line++; continue; }
            var start = line;
            var fields = new List<string>();
            string? error = null;
            while (true)
            {
                var field = new StringBuilder();
                if (text[i] == '"')
                {
                    var quoteLine = line;
                    var closed = false;
                    for (i++; i < text.Length; i++)
                    {
                        if (text[i] == '"')
                        {
                            if (i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; continue; }
                            closed = true;
                            i++;
                            break;
                        }
                        if (text[i] == '\n' || (text[i] == '\r' && !(i + 1 < text.Length && text[i + 1] == '\n'))) line++;
                        field.Append(text[i]);
                    }
                    if (!closed) error ??= $"the quoted field that starts on line {quoteLine} is never closed";
                    else if (i < text.Length && text[i] != separator && !IsLineEnd(text, i))
                        error ??= $"field {fields.Count + 1} has text after its closing quote";
                }
                // An unquoted field, or what follows a closing quote by mistake: text up to the separator or line end.
                while (i < text.Length && text[i] != separator && !IsLineEnd(text, i)) field.Append(text[i++]);
                fields.Add(field.ToString());
                if (i < text.Length && text[i] == separator) { i++; if (i < text.Length) continue; fields.Add(""); }
                break;
            }
            if (i < text.Length) { i = SkipLineEnd(text, i); line++; }
            rows.Add(new Row(start, fields, error));
        }
        return rows;
    }

    private static bool IsLineEnd(string text, int i) => text[i] is '\n' or '\r';

    /// <summary>The position after the line end at <paramref name="i"/>: CRLF, LF or a lone CR.</summary>
    private static int SkipLineEnd(string text, int i) => text[i] == '\r' && i + 1 < text.Length && text[i + 1] == '\n' ? i + 2 : i + 1;
}
