using System.Text.Json;
using AlignLab.Core.Figa;
using AlignLab.Core.RewardModeling;

namespace AlignLab.Web.Heatmaps;

/// <summary>A heatmap's tokens: its text, its value (a reward r_t or a FIGA weight) and whether the edit changed it.
/// <paramref name="Counted"/>: whether the value enters the loss; FIGA drops the penalty of a deleted token the model is
/// not confident in (NLL at or above the threshold), so such a token has a weight that does not count.</summary>
public sealed record HeatmapToken(string Text, double Value, bool Changed, bool Counted = true);

/// <summary>One response as a row of tokens.</summary>
public sealed record HeatmapRow(string Label, IReadOnlyList<HeatmapToken> Tokens)
{
    public double Mean => Tokens.Count == 0 ? 0 : Tokens.Average(t => t.Value);
}

/// <summary>One held-out pair: the prompt and its two responses.</summary>
public sealed record HeatmapPair(string Instruction, HeatmapRow First, HeatmapRow Second);

/// <summary>The per-token artifacts reviewers browse as heatmaps, read into one shape: a reward model's
/// token_rewards.jsonl (r_t of the preferred and the other response) and FIGA's token_weights.jsonl (Eq. 1 weights of
/// Ŷ and Ỹ). A line still being written is skipped.</summary>
public static class TokenHeatmapFile
{
    /// <param name="StepsFolder">Where the run keeps the same file for every evaluation step (<see cref="Core.Runs.StepSnapshots"/>).</param>
    /// <param name="Channels">The values a token can show: FIGA's weight or its NLL under the model; a reward model's r.</param>
    public sealed record Kind(string FileName, string Title, string ValueName, string StepsFolder, IReadOnlyList<string> Channels);

    public static readonly Kind TokenRewards = new(RewardModelArtifacts.TokenRewardsFile, "Per-token rewards", "r", RewardModelArtifacts.TokenRewardsStepsFolder, ["r"]);
    public static readonly Kind TokenWeights = new(FigaArtifacts.TokenWeightsFile, "FIGA token weights", "w", FigaArtifacts.TokenWeightsStepsFolder, ["w", "nll"]);
    public static readonly IReadOnlyList<Kind> Kinds = [TokenRewards, TokenWeights];

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <param name="channel">One of the kind's <see cref="Kind.Channels"/>; its first when null.</param>
    public static async Task<IReadOnlyList<HeatmapPair>> ReadAsync(string path, Kind kind, CancellationToken cancellationToken = default, string? channel = null)
    {
        var nll = channel == "nll";
        if (!File.Exists(path)) return [];
        var pairs = new List<HeatmapPair>();
        foreach (var line in await File.ReadAllLinesAsync(path, cancellationToken))
        {
            try
            {
                if (kind == TokenRewards && JsonSerializer.Deserialize<RewardModelArtifacts.PairRow>(line, Json) is { } rewards)
                    pairs.Add(new HeatmapPair(rewards.Instruction,
                        new HeatmapRow("preferred", [.. rewards.Preferred.Select(t => new HeatmapToken(t.Token, t.Reward, t.Changed))]),
                        new HeatmapRow("other", [.. rewards.Other.Select(t => new HeatmapToken(t.Token, t.Reward, t.Changed))])));
                else if (kind == TokenWeights && JsonSerializer.Deserialize<FigaArtifacts.PairRow>(line, Json) is { } weights)
                    pairs.Add(new HeatmapPair(weights.Instruction,
                        new HeatmapRow("initial Ŷ", [.. weights.Original.Select(t => new HeatmapToken(t.Token, nll ? t.Nll : t.Weight, t.Label != FigaArtifacts.Unchanged, t.Counted || t.Weight == 0))]),
                        new HeatmapRow("revised Ỹ", [.. weights.Revised.Select(t => new HeatmapToken(t.Token, nll ? t.Nll : t.Weight, t.Label != FigaArtifacts.Unchanged))])));
            }
            catch (JsonException) { }
        }
        return pairs;
    }
}
