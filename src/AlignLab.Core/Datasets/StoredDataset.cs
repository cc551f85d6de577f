namespace AlignLab.Core.Datasets;

/// <summary>A stored dataset as a method reads it: its kind and its records.</summary>
public sealed record StoredDataset(Guid Id, string Kind, IReadOnlyList<SpaRecord> Records)
{
    /// <summary>The records, if this kind has all of <paramref name="parts"/> in every record; otherwise an
    /// <see cref="ArgumentException"/> that says what is missing and which kinds would do.</summary>
    public IReadOnlyList<SpaRecord> Require(params RecordPart[] parts)
    {
        var layout = DatasetLayout.For(Kind);
        var missing = parts.Where(part => !layout.Guarantees(part)).ToList();
        if (missing.Count == 0) return Records;
        throw new ArgumentException($"dataset {Id} is a {layout.Title} dataset ({layout.FieldNames}), which has no {string.Join(" and no ", missing.Select(Describe))}; " +
            $"this needs one of the kinds {string.Join(", ", DatasetLayout.KindsWith(parts))}");
    }

    private static string Describe(RecordPart part) => part switch
    {
        RecordPart.Output => "reference or chosen responses",
        RecordPart.Original => "initial or rejected responses",
        RecordPart.Revised => "minimally edited responses",
        _ => part.ToString().ToLowerInvariant(),
    };
}
