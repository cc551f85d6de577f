using System.Text.Json;

namespace AlignLab.Core.R3;

/// <summary>The files a query-type run writes in its run folder.</summary>
public static class QueryTypeArtifacts
{
    /// <summary>One verdict per classified record, JSON Lines (kept across a resume).</summary>
    public const string VerdictsFile = "query_types.jsonl";

    /// <summary>The run's outcome: one <see cref="QueryTypeSummary"/>.</summary>
    public const string SummaryFile = "query_types.json";
}

/// <summary>What a query-type run wrote (query_types.json): the labelled dataset, who classified, and the counts.</summary>
public sealed record QueryTypeSummary(Guid DatasetId, string Classifier, QueryTypeAgreement Agreement)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
}
