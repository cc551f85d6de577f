using System.Text;
using System.Text.Json;

namespace AlignLab.Core.Datasets;

/// <summary>Reads a dataset file, a JSON array of records or JSON Lines, under one <see cref="DatasetLayout"/>,
/// validating every record: an object whose required fields are non-empty strings and whose optional fields are
/// strings or absent. Every bad record is reported with its line and field; the caller decides whether any error
/// rejects the file.</summary>
public static class DatasetParser
{
    public sealed record Result(IReadOnlyList<SpaRecord> Records, IReadOnlyList<DatasetError> Errors, int Lines)
    {
        /// <summary>Records with at least one problem: a line with two bad fields is one bad line.</summary>
        public int BadLines => Errors.Select(e => e.Line).Distinct().Count();
    }

    public static Result Parse(byte[] content, DatasetLayout layout, int maxRecords = 1_000_000)
    {
        // A UTF-8 byte order mark, as some editors write one, is not part of the first record.
        if (content.AsSpan().StartsWith(Encoding.UTF8.Preamble)) content = content[Encoding.UTF8.Preamble.Length..];
        var text = Encoding.UTF8.GetString(content);
        var trimmed = text.TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
        return trimmed.StartsWith('[') ? ParseArray(content, maxRecords, layout) : ParseLines(text, maxRecords, layout);
    }

    private static Result ParseLines(string text, int maxRecords, DatasetLayout layout)
    {
        var records = new List<SpaRecord>();
        var errors = new List<DatasetError>();
        var lines = text.Split('\n');
        int counted = 0;
        for (int i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.Trim().Length == 0) continue;
            counted++;
            if (counted > maxRecords) { errors.Add(new DatasetError(i + 1, "$", $"more than {maxRecords} records")); break; }
            try
            {
                using var document = JsonDocument.Parse(line);
                Validate(document.RootElement, i + 1, layout, records, errors);
            }
            catch (JsonException e)
            {
                errors.Add(new DatasetError(i + 1, "$", $"not valid JSON ({e.Message.Split(" Path:")[0]})"));
            }
        }
        return new Result(records, errors, counted);
    }

    private static Result ParseArray(byte[] content, int maxRecords, DatasetLayout layout)
    {
        var records = new List<SpaRecord>();
        var errors = new List<DatasetError>();
        try
        {
            using var document = JsonDocument.Parse(content);
            int index = 0;
            foreach (var element in document.RootElement.EnumerateArray())
            {
                if (++index > maxRecords) { errors.Add(new DatasetError(index, "$", $"more than {maxRecords} records")); break; }
                Validate(element, index, layout, records, errors);
            }
            return new Result(records, errors, index);
        }
        catch (JsonException e)
        {
            var line = (int)(e.LineNumber ?? 0) + 1;
            errors.Add(new DatasetError(line, "$", $"not valid JSON ({e.Message.Split(" Path:")[0]})"));
            return new Result([], errors, 0);
        }
    }

    // An escaped lone surrogate ("\ud800") is valid JSON but no string: the reader refuses to make one.
    private static string? ReadString(JsonElement value)
    {
        try { return value.GetString(); }
        catch (InvalidOperationException) { return null; }
    }

    private static void Validate(JsonElement element, int line, DatasetLayout layout, List<SpaRecord> records, List<DatasetError> errors)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new DatasetError(line, "$", "a record must be a JSON object"));
            return;
        }
        var values = new Dictionary<string, string>();
        var ok = true;
        IReadOnlyList<string>? choices = null;
        int? answer = null;
        void Fail(string field, string message)
        {
            errors.Add(new DatasetError(line, field, message));
            ok = false;
        }
        foreach (var (field, part, required, type, mayBeEmpty) in layout.Fields)
        {
            var optional = !required;
            if (!element.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                if (optional) { values[field] = ""; continue; }
                Fail(field, "missing");
            }
            else if (type == DatasetLayout.FieldType.TextList) choices = Choices(value, field, Fail);
            else if (type == DatasetLayout.FieldType.Index)
            {
                if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var index))
                    Fail(field, $"must be a whole number (the index of the right choice, from 0), not {Describe(value)}");
                else answer = index;
            }
            else if (value.ValueKind != JsonValueKind.String)
                Fail(field, $"must be a string, not {value.ValueKind.ToString().ToLowerInvariant()}");
            else if ((ReadString(value) is { } text ? Text.TextRules.Problem(text) : "contains a lone surrogate, which is not a character") is { } problem)
                Fail(field, problem);
            else if (!optional && !mayBeEmpty && value.GetString()!.Trim().Length == 0)
                Fail(field, "empty");
            else if (part == RecordPart.QueryType && value.GetString()!.Trim().Length > 0)
            {
                if (R3.QueryTypes.Parse(value.GetString()) is { } type_) values[field] = R3.QueryTypes.Label(type_);
                else Fail(field, "must be OE or CE (open- or closed-ended)");
            }
            else values[field] = value.GetString()!;
        }
        // The answer names one of the choices.
        if (answer is { } given && choices is { } list && (given < 0 || given >= list.Count))
            Fail(layout.Fields.First(f => f.Type == DatasetLayout.FieldType.Index).Name,
                $"{given} is out of range: the index of one of the {list.Count} choices, from 0 to {list.Count - 1}");
        if (ok) records.Add(layout.ToRecord(values, choices, answer));
    }

    /// <summary>A multiple-choice item's choices: a list of at least two non-empty strings.</summary>
    private static IReadOnlyList<string>? Choices(JsonElement value, string field, Action<string, string> fail)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            fail(field, $"must be a list of strings, not {Describe(value)}");
            return null;
        }
        var choices = new List<string>();
        foreach (var (choice, i) in value.EnumerateArray().Select((c, i) => (c, i)))
        {
            if (choice.ValueKind != JsonValueKind.String) { fail(field, $"choice {i} must be a string, not {Describe(choice)}"); return null; }
            if ((ReadString(choice) is { } text ? Text.TextRules.Problem(text) : "contains a lone surrogate, which is not a character") is { } problem)
            { fail(field, $"choice {i} {problem}"); return null; }
            if (choice.GetString()!.Trim().Length == 0) { fail(field, $"choice {i} is empty"); return null; }
            choices.Add(choice.GetString()!);
        }
        if (choices.Count < 2)
        {
            fail(field, choices.Count == 0 ? "empty: a multiple-choice item needs at least two choices" : "has one choice: a multiple-choice item needs at least two");
            return null;
        }
        return choices;
    }

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number => $"the number {value.GetRawText()}",
        JsonValueKind.String => "a string",
        JsonValueKind.Array => "a list",
        JsonValueKind.Object => "an object",
        _ => value.ValueKind.ToString().ToLowerInvariant(),
    };
}
