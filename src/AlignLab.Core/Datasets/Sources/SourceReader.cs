using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;
using AlignLab.Core.Text;

namespace AlignLab.Core.Datasets.Sources;

/// <summary>What the converters share: decoding a file as UTF-8, reading it as JSON (an array or JSON Lines) or as a
/// table (CSV or TSV), and turning a record's <see cref="SourceRecordException"/> into an error at its line, so that one
/// bad record does not stop the rest.</summary>
internal static class SourceReader
{
    /// <summary>Converts every item of a JSON array (numbered from 1) or a JSON Lines file (numbered by line, blank lines
    /// skipped); an item must be an object. A line that is not JSON is an error for that line; an array that is not JSON,
    /// one for the file.</summary>
    public static ConvertedFile Json(byte[] content, Func<JsonElement, JsonObject> convert)
    {
        var records = new List<ConvertedRecord>();
        var errors = new List<DatasetError>();
        if (ReadText(content, errors) is not { } text) return new ConvertedFile(records, errors);
        void Add(int line, JsonElement item) => Attempt(line, () => item.ValueKind == JsonValueKind.Object
            ? convert(item) : throw new SourceRecordException("$", $"a record must be a JSON object, not {Describe(item)}"), records, errors);
        if (text.TrimStart().StartsWith('['))
        {
            try
            {
                using var document = JsonDocument.Parse(text);
                var index = 0;
                foreach (var item in document.RootElement.EnumerateArray()) Add(++index, item);
            }
            catch (JsonException e) { errors.Add(new DatasetError((int)(e.LineNumber ?? 0) + 1, "file", $"not valid JSON ({Reason(e)})")); }
            return new ConvertedFile(records, errors);
        }
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].Trim().Length == 0) continue;
            try
            {
                using var document = JsonDocument.Parse(lines[i]);
                Add(i + 1, document.RootElement);
            }
            catch (JsonException e) { errors.Add(new DatasetError(i + 1, "$", $"not valid JSON ({Reason(e)})")); }
        }
        return new ConvertedFile(records, errors);
    }

    /// <summary>Converts every row of a CSV or TSV file, given each row's fields by column name: the names are
    /// <paramref name="columns"/> for a file without a header row, or the header row's cells. A header that lacks a
    /// <paramref name="required"/> column is an error for the file; a row with another number of fields than there are
    /// columns, or with broken quoting, an error for the row ("$").</summary>
    public static ConvertedFile Table(byte[] content, char separator, IReadOnlyList<string>? columns, IReadOnlyList<string> required,
        Func<IReadOnlyDictionary<string, string>, JsonObject> convert)
    {
        var records = new List<ConvertedRecord>();
        var errors = new List<DatasetError>();
        if (ReadText(content, errors) is not { } text) return new ConvertedFile(records, errors);
        var rows = CsvReader.Read(text, separator);
        var names = columns ?? rows[0].Fields.Select(f => f.Trim()).ToList();
        if (columns is null)
        {
            var missing = required.Where(c => !names.Contains(c)).ToList();
            if (rows[0].Error is { } broken) errors.Add(new DatasetError(rows[0].Line, "file", $"the header row: {broken}"));
            else if (missing.Count > 0)
                errors.Add(new DatasetError(rows[0].Line, "file", $"the header has no column {string.Join(", ", missing)} (its columns: {string.Join(", ", names)})"));
            if (errors.Count > 0) return new ConvertedFile(records, errors);
        }
        foreach (var row in columns is null ? rows.Skip(1) : rows)
        {
            if (row.Error is { } error) errors.Add(new DatasetError(row.Line, "$", error));
            else if (row.Fields.Count != names.Count)
                errors.Add(new DatasetError(row.Line, "$", $"{row.Fields.Count} fields, not {names.Count} ({string.Join(", ", names)})"));
            else
            {
                var values = new Dictionary<string, string>();
                for (int i = 0; i < names.Count; i++) values.TryAdd(names[i], row.Fields[i]);
                Attempt(row.Line, () => convert(values), records, errors);
            }
        }
        return new ConvertedFile(records, errors);
    }

    /// <summary>The file's text without a byte order mark; null, with an error for the file, when the bytes are not UTF-8
    /// (at the line of the first bad byte) or hold no text at all.</summary>
    public static string? ReadText(byte[] content, List<DatasetError> errors)
    {
        ReadOnlySpan<byte> bytes = content;
        if (bytes.StartsWith(Encoding.UTF8.Preamble)) bytes = bytes[Encoding.UTF8.Preamble.Length..];
        // UTF-16 never needs more code units than UTF-8 needs bytes.
        var chars = new char[bytes.Length];
        if (Utf8.ToUtf16(bytes, chars, out var read, out var written, replaceInvalidSequences: false) != OperationStatus.Done)
        {
            var line = bytes[..read].Count((byte)'\n') + 1;
            errors.Add(new DatasetError(line, "file", $"not UTF-8 text: line {line} has a byte sequence that UTF-8 does not allow"));
            return null;
        }
        var text = new string(chars, 0, written);
        if (text.Trim().Length == 0)
        {
            errors.Add(new DatasetError(1, "file", "empty"));
            return null;
        }
        return text;
    }

    /// <summary>A string property; missing, null or of another type, it is an error for the property.</summary>
    public static string RequiredString(JsonElement item, string name) =>
        OptionalString(item, name) ?? throw new SourceRecordException(name, "missing");

    /// <summary>A string property, or null when it is missing or null; of another type, it is an error for the property.</summary>
    public static string? OptionalString(JsonElement item, string name) =>
        item.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? StringValue(value, name) : null;

    /// <summary>A JSON string's text. Another type, or an escaped lone surrogate (which no .NET string may hold), is an
    /// error for <paramref name="field"/>.</summary>
    public static string StringValue(JsonElement value, string field)
    {
        if (value.ValueKind != JsonValueKind.String) throw new SourceRecordException(field, $"must be a string, not {Describe(value)}");
        try { return value.GetString()!; }
        catch (InvalidOperationException) { throw new SourceRecordException(field, "contains a lone surrogate, which is not a character"); }
    }

    public static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number => $"the number {value.GetRawText()}",
        JsonValueKind.String => "a string",
        JsonValueKind.Array => "a list",
        JsonValueKind.Object => "an object",
        _ => value.ValueKind.ToString().ToLowerInvariant(),
    };

    private static void Attempt(int line, Func<JsonObject> convert, List<ConvertedRecord> records, List<DatasetError> errors)
    {
        try { records.Add(new ConvertedRecord(line, convert())); }
        catch (SourceRecordException e) { errors.Add(new DatasetError(line, e.Field, e.Message)); }
    }

    private static string Reason(JsonException e) => e.Message.Split(" Path:")[0];
}
