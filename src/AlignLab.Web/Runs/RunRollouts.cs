using AlignLab.Core.Ppo;
using AlignLab.Core.Runs;
using AlignLab.Jobs.Execution;

namespace AlignLab.Web.Runs;

/// <summary>A PPO or R³ run's stored rollouts (rollouts.jsonl: the first rollouts_kept rollouts every sample_every steps,
/// with every token's channels), as the rollouts page and GET /api/runs/{id}/rollouts show them. A file is parsed once per
/// version (its length and write time): the page asks for several steps of one run in a row, and a finished run's file
/// never changes. The last few files read are kept.</summary>
public sealed class RunRollouts(RunArtifacts artifacts)
{
    public const int MaxLimit = 500;
    private const int FilesKept = 8;

    private readonly object _gate = new();
    private readonly Dictionary<string, (long Length, DateTime Written, IReadOnlyList<RolloutRecord> Records)> _parsed = [];
    public static readonly IReadOnlyList<string> Sorts = ["index", "score", "-score"];

    /// <summary>One step's rollouts, the steps that have any, and the bytes the run's rollouts take.</summary>
    public sealed record Page(IReadOnlyList<long> Steps, long? Step, long Bytes, int Total, IReadOnlyList<RolloutRecord> Rollouts);

    /// <summary>What a request asks for: a step (the last logged when null), a score range, a reward-hacking flag, an order.</summary>
    public sealed record Query(long? Step = null, int Limit = 50, string Sort = "index", double? MinScore = null, double? MaxScore = null, string? Flag = null);

    /// <summary>The errors of a query, by parameter.</summary>
    public static Dictionary<string, string[]> Check(Query query)
    {
        var errors = new Dictionary<string, string[]>();
        if (query.Limit is < 1 or > MaxLimit) errors["limit"] = [$"1 ≤ limit ≤ {MaxLimit}"];
        if (!Sorts.Contains(query.Sort)) errors["sort"] = [$"must be one of {string.Join(", ", Sorts)}"];
        if (query.Flag is { } flag && !RolloutRecord.Flags.Contains(flag)) errors["flag"] = [$"must be one of {string.Join(", ", RolloutRecord.Flags)}"];
        if (query.MinScore is { } min && query.MaxScore is { } max && min > max) errors["minScore"] = ["must not be above maxScore"];
        return errors;
    }

    /// <summary>The page the query asks for; null with the reason when the step has no rollouts.</summary>
    public (Page? Page, string? Error) Read(Guid runId, Query query)
    {
        var path = Path.Combine(artifacts.RunDirectory(runId), PpoArtifacts.RolloutsFile);
        var all = Records(path);
        var steps = all.Select(r => r.Step).Distinct().Order().ToList();
        var bytes = Bytes(runId);
        var step = query.Step ?? (steps.Count > 0 ? steps[^1] : null);
        if (query.Step is { } asked && !steps.Contains(asked))
            return (null, steps.Count == 0 ? "this run has stored no rollouts" : $"no rollouts at step {asked}; stored: {Describe(steps)}");
        var chosen = all.Where(r => r.Step == step)
            .Where(r => (query.MinScore is not { } min || r.Score >= min) && (query.MaxScore is not { } max || r.Score <= max))
            .Where(r => query.Flag is not { } flag || r.Has(flag))
            .ToList();
        IEnumerable<RolloutRecord> ordered = query.Sort switch
        {
            "score" => chosen.OrderBy(r => r.Score),
            "-score" => chosen.OrderByDescending(r => r.Score),
            _ => chosen.OrderBy(r => r.Index),
        };
        return (new Page(steps, step, bytes, chosen.Count, [.. ordered.Take(query.Limit)]), null);
    }

    /// <summary>Every record of a rollouts file, parsed again only when the file has changed since.</summary>
    private IReadOnlyList<RolloutRecord> Records(string path)
    {
        var file = new FileInfo(path);
        if (!file.Exists) return [];
        var version = (file.Length, file.LastWriteTimeUtc);
        lock (_gate)
            if (_parsed.TryGetValue(path, out var cached) && (cached.Length, cached.Written) == version) return cached.Records;
        IReadOnlyList<RolloutRecord> records = StepLog.Read<RolloutRecord>(path).ToList();
        lock (_gate)
        {
            if (_parsed.Count >= FilesKept && !_parsed.ContainsKey(path)) _parsed.Remove(_parsed.Keys.First());
            _parsed[path] = (version.Length, version.LastWriteTimeUtc, records);
        }
        return records;
    }

    /// <summary>The bytes a run's rollouts take on disk (0 when it stored none).</summary>
    public long Bytes(Guid runId) =>
        Path.Combine(artifacts.RunDirectory(runId), PpoArtifacts.RolloutsFile) is var path && File.Exists(path) ? new FileInfo(path).Length : 0;

    private static string Describe(IReadOnlyList<long> steps) =>
        steps.Count <= 12 ? string.Join(", ", steps) : $"{string.Join(", ", steps.Take(10))}, … {steps[^1]} ({steps.Count} steps)";
}
