namespace AlignLab.Core.Figa;

/// <summary>Which penalised (deleted/substituted) tokens of Ŷ enter the loss (“Beyond Imitation”, Table 5).</summary>
public enum BadTokenSelection
{
    /// <summary>Only tokens the model is confident in: NLL below the threshold (the paper's method).</summary>
    Threshold,
    /// <summary>All of them (ablation "no selection").</summary>
    None,
    /// <summary>Only tokens with NLL at or above the threshold (ablation "inverted threshold").</summary>
    Inverted,
}

/// <summary>How the good (rewarded) tokens of Ỹ are chosen.</summary>
public enum GoodTokenLabels
{
    /// <summary>Destinations of Levenshtein inserts and replaces (the paper's method).</summary>
    Levenshtein,
    /// <summary>Tokens of Ỹ that do not occur anywhere in Ŷ (ablation "bag of words").</summary>
    BagOfWords,
}

/// <summary>FIGA's hyperparameters, defaults from “Beyond Imitation” and its implementation (METHODS.md §1).</summary>
public sealed record FigaOptions
{
    /// <summary>α, Eq. 1: weight of added/substituted tokens of Ỹ.</summary>
    public double Alpha { get; init; } = 1.0;
    /// <summary>β, Eq. 1: penalty weight of deleted/substituted tokens of Ŷ.</summary>
    public double Beta { get; init; } = 0.5;
    /// <summary>γ, Eq. 1: weight of unchanged tokens of Ỹ (γ = 0.3 hurts, Table 7).</summary>
    public double Gamma { get; init; } = 0.0;
    /// <summary>A bad token is penalised only if its NLL is below this (implementation: dropped when NLL &gt; 0.6).</summary>
    public double NllThreshold { get; init; } = 0.6;
    public BadTokenSelection Selection { get; init; } = BadTokenSelection.Threshold;
    public GoodTokenLabels GoodLabels { get; init; } = GoodTokenLabels.Levenshtein;

    /// <summary>Whether a bad-token candidate with this NLL is penalised.</summary>
    public bool Keeps(double nll) => Selection switch
    {
        BadTokenSelection.None => true,
        BadTokenSelection.Inverted => nll >= NllThreshold,
        _ => nll < NllThreshold,
    };
}
