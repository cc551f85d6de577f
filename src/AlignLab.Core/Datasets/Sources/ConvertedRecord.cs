using System.Text.Json.Nodes;

namespace AlignLab.Core.Datasets.Sources;

/// <summary>One record converted from a public benchmark file: the source's 1-based line (a JSON Lines, CSV or TSV row,
/// counting a header row so that the number matches what an editor shows; in a JSON array, the element's number) and the
/// record in its evaluation kind's fields (<see cref="DatasetLayout"/>), ready to be written as JSON Lines.</summary>
public sealed record ConvertedRecord(int Line, JsonObject Record);
