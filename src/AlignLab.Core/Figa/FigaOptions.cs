namespace AlignLab.Core.Figa;

/// <summary>Which penalised (deleted/substituted) tokens of Ŷ enter the loss (“Beyond Imitation”, §4.1 and Table 5).</summary>
public enum BadTokenSelection
{
    /// <summary>Only tokens the model is confident in: NLL below the threshold (the paper's text, §4.1).</summary>
    Paper,
    /// <summary>The authors' code (RUCAIBox/FIGA, modeling_llama.py): a token is dropped when its NLL is below the
    /// threshold or above the upper bound, so only threshold ≤ NLL ≤ upper bound is penalised.</summary>
    AuthorsCode,
    /// <summary>All of them (ablation "no selection").</summary>
    None,
    /// <summary>Only tokens with NLL at or above the threshold (ablation "inverted threshold").</summary>
    Inverted,
}

/// <summary>How the good (rewarded) tokens of Ỹ are chosen and weighted (“Beyond Imitation”, Table 5's variants of r̃).</summary>
public enum GoodTokenLabels
{
    /// <summary>Destinations of Levenshtein inserts and replaces, weighted α (the paper's method).</summary>
    Levenshtein,
    /// <summary>Tokens of Ỹ that do not occur anywhere in Ŷ (Table 5, "bag of words").</summary>
    BagOfWords,
    /// <summary>An LLM scores Ỹ's words 0–5 by how much they improve on Ŷ; a scored word's tokens weigh 0.7–1.3, the
    /// rest 0.3 (Table 5, "ChatGPT (weighted)"; <see cref="TokenImportance"/>).</summary>
    LlmWeighted,
    /// <summary>The same scores, binary: 1 for a word scored above 0, else 0 (Table 5, "ChatGPT (binary)").</summary>
    LlmBinary,
}

/// <summary>Whether α and β come from a reward model's scores of the pair (Table 5 and 7, "R(·)"): the scores of Ỹ and Ŷ,
/// min-max scaled over the dataset.</summary>
public enum RewardScaledWeights
{
    /// <summary>α and β are the parameters' values (the paper's method).</summary>
    None,
    /// <summary>α = R(Ỹ) scaled, β the parameter (Table 7, "R(·)/0.5/0" and "R(·)/0/0").</summary>
    Alpha,
    /// <summary>α = R(Ỹ) and β = R(Ŷ), both scaled (Table 5's text for "R(·)").</summary>
    AlphaBeta,
}

/// <summary>FIGA's hyperparameters, defaults from “Beyond Imitation” and its implementation (docs/methods.md, FIGA).</summary>
public sealed record FigaOptions
{
    /// <summary>α, Eq. 1: weight of added/substituted tokens of Ỹ.</summary>
    public double Alpha { get; init; } = 1.0;
    /// <summary>β, Eq. 1: penalty weight of deleted/substituted tokens of Ŷ.</summary>
    public double Beta { get; init; } = 0.5;
    /// <summary>γ, Eq. 1: weight of unchanged tokens of Ỹ (γ = 0.3 hurts, Table 7).</summary>
    public double Gamma { get; init; } = 0.0;
    /// <summary>The paper penalises a bad token only if its NLL is below this; the authors' code only if it is at least this.</summary>
    public double NllThreshold { get; init; } = 0.6;
    /// <summary>The authors' code also drops a bad token whose NLL is above this (<see cref="BadTokenSelection.AuthorsCode"/> only).</summary>
    public double NllUpper { get; init; } = 1.0;
    public BadTokenSelection Selection { get; init; } = BadTokenSelection.Paper;
    public GoodTokenLabels GoodLabels { get; init; } = GoodTokenLabels.Levenshtein;

    /// <summary>Whether the rewarded tokens come from an LLM's word scores (which the run asks for before training).</summary>
    public bool UsesWordScores => GoodLabels is GoodTokenLabels.LlmWeighted or GoodTokenLabels.LlmBinary;

    /// <summary>Whether a bad-token candidate with this NLL is penalised.</summary>
    public bool Keeps(double nll) => Selection switch
    {
        BadTokenSelection.None => true,
        BadTokenSelection.Inverted => nll >= NllThreshold,
        BadTokenSelection.AuthorsCode => nll >= NllThreshold && nll <= NllUpper,
        _ => nll < NllThreshold,
    };
}
