namespace AlignLab.Web.Components.Shared;

/// <summary>Metric names grouped by the prefix before their first "/" (<c>eval/loss</c> → <c>eval</c>), the names without
/// one first under the empty key, then the groups in ordinal order, with <c>system</c> (the worker's own measurements)
/// last. Names keep their order within a group.</summary>
public static class MetricGroups
{
    public static IReadOnlyList<IGrouping<string, string>> Of(IEnumerable<string> names) =>
        [.. names.GroupBy(Prefix)
            .OrderBy(g => g.Key.Length == 0 ? 0 : g.Key == "system" ? 2 : 1)
            .ThenBy(g => g.Key, StringComparer.Ordinal)];

    public static string Prefix(string name) => name.IndexOf('/') is > 0 and var slash ? name[..slash] : "";
}
