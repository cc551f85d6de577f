namespace AlignLab.Core.Runs;

/// <summary>The short form of a run or dataset id people read in names and labels: its last 8 hex digits. Ids are
/// UUIDv7, whose first digits are a timestamp shared by everything made within the same minute; the last are random.</summary>
public static class ShortIds
{
    public static string Short(this Guid id) => id.ToString("N")[^8..];
}
