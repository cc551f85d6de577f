namespace AlignLab.Core.Datasets;

/// <summary>How one kind of dataset is written in files and shown by the examples API: its field names, which of them
/// are required, and which part of the stored record each one fills. All kinds are stored as <see cref="SpaRecord"/>s,
/// so a preference pair (prompt, chosen, rejected) is X, Y, Ŷ and a minimal edit (prompt, original, edited) is X, Ŷ, Ỹ.</summary>
public sealed record DatasetLayout(string Kind, string Title, IReadOnlyList<DatasetLayout.Field> Fields)
{
    /// <param name="MayBeEmpty">A required text field that may be given as "" (a multiple-choice prompt: the choices are
    /// then scored as whole texts); otherwise a required field must hold more than white space.</param>
    public sealed record Field(string Name, RecordPart Part, bool Required, FieldType Type = FieldType.Text, bool MayBeEmpty = false);

    /// <summary>How a field is written: a string, a list of strings (a multiple-choice item's choices), or an index into
    /// that list (its answer).</summary>
    public enum FieldType { Text, TextList, Index }

    /// <summary>Every kind may label its queries OE or CE for R³.</summary>
    private static readonly Field QueryTypeField = new("query_type", RecordPart.QueryType, false);

    public static readonly DatasetLayout Spa = new(DatasetKinds.Spa, "SPA",
    [
        new("instruction", RecordPart.Instruction, true), new("input", RecordPart.Input, false), new("output", RecordPart.Output, true),
        new("original_output", RecordPart.Original, true), new("revised_output", RecordPart.Revised, true), QueryTypeField,
    ]);

    public static readonly DatasetLayout Pool = new(DatasetKinds.Pool, "pool",
    [
        new("instruction", RecordPart.Instruction, true), new("input", RecordPart.Input, false), new("output", RecordPart.Output, true),
        new("original_output", RecordPart.Original, false), new("revised_output", RecordPart.Revised, false), QueryTypeField,
    ]);

    public static readonly DatasetLayout Edits = new(DatasetKinds.Edits, "minimal-edit",
    [
        new("prompt", RecordPart.Instruction, true), new("input", RecordPart.Input, false),
        new("original", RecordPart.Original, true), new("edited", RecordPart.Revised, true), QueryTypeField,
    ]);

    public static readonly DatasetLayout Preference = new(DatasetKinds.Preference, "preference",
    [
        new("prompt", RecordPart.Instruction, true), new("input", RecordPart.Input, false),
        new("chosen", RecordPart.Output, true), new("rejected", RecordPart.Original, true), QueryTypeField,
    ]);

    /// <summary>An evaluation set of prompts to answer: the model's responses are scored (reward, judge, text statistics),
    /// against the reference answer when there is one.</summary>
    public static readonly DatasetLayout Generation = new(DatasetKinds.Generation, "generation",
    [
        new("prompt", RecordPart.Instruction, true), new("input", RecordPart.Input, false), new("reference", RecordPart.Output, false), QueryTypeField,
    ]);

    /// <summary>An evaluation set of multiple-choice items, scored by the log-likelihood of each choice after the prompt.</summary>
    public static readonly DatasetLayout MultipleChoice = new(DatasetKinds.MultipleChoice, "multiple-choice",
    [
        new("prompt", RecordPart.Instruction, true, MayBeEmpty: true), new("choices", RecordPart.Choices, true, FieldType.TextList),
        new("answer", RecordPart.Answer, true, FieldType.Index), new("group", RecordPart.Group, false),
    ]);

    public static readonly IReadOnlyList<DatasetLayout> All = [Spa, Pool, Edits, Preference, Generation, MultipleChoice];

    public static DatasetLayout For(string kind) =>
        All.FirstOrDefault(l => l.Kind == kind) ?? throw new ArgumentException($"unknown dataset kind '{kind}'");

    /// <summary>The kinds whose every record has all of <paramref name="parts"/>.</summary>
    public static IReadOnlyList<string> KindsWith(params RecordPart[] parts) => [.. All.Where(l => l.Guarantees(parts)).Select(l => l.Kind)];

    public bool Guarantees(params RecordPart[] parts) => parts.All(part => Fields.Any(f => f.Part == part && f.Required));

    public string FieldNames => string.Join(", ", Fields.Select(f => f.Name));

    /// <summary>The responses every record of this kind has, under the kind's own names, worst first: original (or
    /// rejected), revised (or edited), output (or chosen). What the dataset page scores with a reward model.</summary>
    public IReadOnlyList<Field> Responses =>
        [.. new[] { RecordPart.Original, RecordPart.Revised, RecordPart.Output }.Select(Required).OfType<Field>()];

    /// <summary>The two responses a record contrasts, as the dataset page diffs them: the original (or rejected) one and
    /// its revision (or the chosen one); null for a kind that guarantees no contrast (a pool).</summary>
    public (Field From, Field To)? Contrast =>
        Required(RecordPart.Original) is { } from && (Required(RecordPart.Revised) ?? Required(RecordPart.Output)) is { } to ? (from, to) : null;

    private Field? Required(RecordPart part) => Fields.FirstOrDefault(f => f.Part == part && f.Required);

    /// <summary>The text a record holds for a part (a multiple-choice item's choices one per line, its answer as a number).</summary>
    public static string Read(SpaRecord record, RecordPart part) => part switch
    {
        RecordPart.Instruction => record.Instruction,
        RecordPart.Input => record.Input,
        RecordPart.Output => record.Output,
        RecordPart.Original => record.OriginalOutput,
        RecordPart.QueryType => record.QueryType,
        RecordPart.Choices => string.Join("\n", record.Choices ?? []),
        RecordPart.Answer => record.Answer?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "",
        RecordPart.Group => record.Group,
        _ => record.RevisedOutput,
    };

    /// <summary>The record of a file's text fields, and a multiple-choice item's choices and answer.</summary>
    public SpaRecord ToRecord(IReadOnlyDictionary<string, string> values, IReadOnlyList<string>? choices = null, int? answer = null)
    {
        string Part(RecordPart part) => Fields.FirstOrDefault(f => f.Part == part) is { } field ? values.GetValueOrDefault(field.Name, "") : "";
        return new SpaRecord(Part(RecordPart.Instruction), Part(RecordPart.Input), Part(RecordPart.Output), Part(RecordPart.Original), Part(RecordPart.Revised),
            Part(RecordPart.QueryType), choices, answer, Part(RecordPart.Group));
    }

    /// <summary>A record under this layout's field names (what was uploaded): strings, and a multiple-choice item's choices
    /// as a list and answer as a number.</summary>
    public IReadOnlyDictionary<string, object> ToFields(SpaRecord record) => Fields.ToDictionary(f => f.Name, f => f.Part switch
    {
        RecordPart.Choices => (object)(record.Choices ?? []),
        RecordPart.Answer => record.Answer ?? -1,
        _ => Read(record, f.Part),
    });
}
