namespace AlignLab.Core.Datasets;

/// <summary>A problem with one record of an uploaded file: its 1-based line (JSONL) or record number (JSON array),
/// the field, and what is wrong.</summary>
public sealed record DatasetError(int Line, string Field, string Message)
{
    public override string ToString() => $"line {Line}, {Field}: {Message}";
}
