namespace AlignLab.Training.Methods.Ppo;

/// <summary>The three PPO variants of “Aligning Large Language Models via Fine-grained Supervision”, told apart by their reward model: a token-level model ("fine-grained
/// token-level PPO"), a sequence-level model trained on edited pairs ("fine-grained PPO"), or one trained on the
/// original pairs (the PPO-RLHF baseline). A run may name the variant it means; the reward model must then be of
/// that kind, so a mislabelled experiment fails before it trains.</summary>
public static class PpoVariant
{
    public const string Auto = "auto", FineGrainedToken = "fine-grained-token", FineGrained = "fine-grained", Rlhf = "ppo-rlhf";
    public static readonly IReadOnlyList<string> All = [Auto, FineGrainedToken, FineGrained, Rlhf];

    /// <summary>The variant a reward model makes, checked against the <paramref name="requested"/> one.</summary>
    /// <param name="trainedOn">"edited" or "original" as the reward-model method records it; null when unknown.</param>
    public static string Resolve(string requested, bool tokenLevel, string? trainedOn)
    {
        var made = tokenLevel ? FineGrainedToken
            : trainedOn == Methods.RewardModeling.RewardPairs.Edited ? FineGrained
            : trainedOn == Methods.RewardModeling.RewardPairs.Original ? Rlhf : null;
        if (requested == Auto) return made ?? "sequence-level (training data unknown)";
        var level = tokenLevel ? "token-level" : "sequence-level";
        if ((requested == FineGrainedToken) != tokenLevel)
            throw new ArgumentException($"variant: {requested} needs a {(tokenLevel ? "sequence" : "token")}-level reward model; this one is {level}");
        if (made is not null && made != requested)
            throw new ArgumentException($"variant: {requested} needs a reward model trained on {(requested == FineGrained ? "edited" : "original")} pairs; this one was trained on {trainedOn} pairs");
        return requested;
    }
}
