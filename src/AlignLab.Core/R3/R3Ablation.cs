namespace AlignLab.Core.R3;

/// <summary>The reward ablations of “Preference-free Alignment Learning with Regularized Relevance Reward” (Table 4) a run can select.</summary>
public enum R3Ablation
{
    /// <summary>The full R³.</summary>
    None,
    /// <summary>No relevance: LI·RP for every query.</summary>
    NoRelevance,
    /// <summary>No repetition penalty: RP = 1.</summary>
    NoRepetitionPenalty,
    /// <summary>The length incentive alone.</summary>
    LengthOnly,
    /// <summary>No closed-ended branch: every query is scored as open-ended.</summary>
    NoClosedEndedBranch,
    /// <summary>Each query's type drawn at random (OE or CE, equally likely) instead of read from its label.</summary>
    RandomQueryType,
}

public static class R3Ablations
{
    public static readonly IReadOnlyDictionary<string, R3Ablation> ByName = new Dictionary<string, R3Ablation>
    {
        ["none"] = R3Ablation.None,
        ["no_relevance"] = R3Ablation.NoRelevance,
        ["no_repetition_penalty"] = R3Ablation.NoRepetitionPenalty,
        ["length_only"] = R3Ablation.LengthOnly,
        ["no_ce_branch"] = R3Ablation.NoClosedEndedBranch,
        ["random_query_type"] = R3Ablation.RandomQueryType,
    };
}
