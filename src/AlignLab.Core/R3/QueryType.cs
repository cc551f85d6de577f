namespace AlignLab.Core.R3;

/// <summary>Whether a query asks for an open-ended, creative response (OE), or for a consistent, constrained one (CE)
/// that R³ compares with the reference answer.</summary>
public enum QueryType { OpenEnded, ClosedEnded }

public static class QueryTypes
{
    /// <summary>Reads a label as datasets and classifiers write it: OE / CE, open / closed, OPEN-ENDED / CLOSED-ENDED.</summary>
    public static QueryType? Parse(string? label) => label?.Trim().ToUpperInvariant().Replace('_', '-') switch
    {
        "OE" or "OPEN" or "OPEN-ENDED" => QueryType.OpenEnded,
        "CE" or "CLOSED" or "CLOSED-ENDED" => QueryType.ClosedEnded,
        _ => null,
    };

    public static string Label(this QueryType type) => type == QueryType.OpenEnded ? "OE" : "CE";
}
