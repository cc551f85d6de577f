namespace AlignLab.Core.Figa;

/// <summary>The file a FIGA run writes for reviewers in its run folder, and its rows: per held-out pair, the tokens of Ŷ
/// and Ỹ with their labels, Eq. 1 weights, the NLL under the trained model and, for Ŷ, whether the bad-token selection
/// kept the penalty. JSON Lines, web-cased.</summary>
public static class FigaArtifacts
{
    public const string TokenWeightsFile = "token_weights.jsonl";

    /// <summary>The same rows for the first held-out pairs at every evaluation step (<see cref="Runs.StepSnapshots"/>).</summary>
    public const string TokenWeightsStepsFolder = "token_weights_steps";

    /// <summary>Token labels: the edit left it alone, deleted or substituted it in Ŷ, added or substituted it in Ỹ.</summary>
    public const string Unchanged = "unchanged", DeletedOrSubstituted = "deleted_or_substituted", AddedOrSubstituted = "added_or_substituted";

    public sealed record TokenRow(string Token, int Id, string Label, double Weight, double Nll, bool Counted);

    public sealed record PairRow(string Instruction, IReadOnlyList<TokenRow> Original, IReadOnlyList<TokenRow> Revised);
}
