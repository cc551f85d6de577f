namespace AlignLab.Core.Datasets.Sources;

/// <summary>What converting a source file gives: the records that converted, and one error for each source record that
/// did not (its line, the source's column or property, or "$" for the whole record, or "file" for the whole file).
/// <see cref="DatasetParser"/> still validates the records in their kind's fields afterwards.</summary>
public sealed record ConvertedFile(IReadOnlyList<ConvertedRecord> Records, IReadOnlyList<DatasetError> Errors);
