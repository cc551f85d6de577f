namespace AlignLab.Core.Runs;

/// <summary>Files a run writes once per evaluation step into a folder of their own (step-00000040.jsonl), so that a view
/// can move through training with a step slider: FIGA's held-out token weights and NLLs, a token-level reward model's
/// per-token rewards. Each snapshot holds at most <see cref="MaxPairs"/> held-out pairs; the file the run writes at its
/// end stays the full one.</summary>
public static class StepSnapshots
{
    public const int MaxPairs = 32;

    /// <summary>The path of the snapshot at <paramref name="step"/>, its folder created.</summary>
    public static string PathFor(string artifactDirectory, string folder, long step)
    {
        var directory = Path.Combine(artifactDirectory, folder);
        Directory.CreateDirectory(directory);
        return Path.Combine(directory, $"step-{step:D8}.jsonl");
    }

    /// <summary>The steps that have a snapshot in the folder, ascending; none when it does not exist.</summary>
    public static IReadOnlyList<long> Steps(string directory) =>
        !Directory.Exists(directory) ? []
        : [.. Directory.EnumerateFiles(directory, "step-*.jsonl").Select(f => Path.GetFileNameWithoutExtension(f)["step-".Length..])
            .Select(s => long.TryParse(s, out var step) ? step : -1).Where(s => s >= 0).Order()];

    public static string FileName(long step) => $"step-{step:D8}.jsonl";
}
