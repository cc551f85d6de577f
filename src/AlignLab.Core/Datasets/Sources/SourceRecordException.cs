namespace AlignLab.Core.Datasets.Sources;

/// <summary>What is wrong with one record of a source file, in the source's own terms: the column or property ("$" for
/// the whole record) and why. A converter throws it for the record at hand; <see cref="SourceReader"/> reports it at the
/// record's line and goes on with the next record.</summary>
internal sealed class SourceRecordException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}
