namespace AlignLab.Training.Methods.Ppo;

/// <summary>A transparent reward for smoke runs and tests: +1 on every response token that is one of the keyword's
/// tokens, 0 elsewhere, so the reward of a response is the number of keyword tokens it emits.</summary>
public sealed class KeywordRewardSource(IReadOnlyCollection<int> keywordTokens, string keyword) : IRewardSource
{
    public string Description => $"keyword '{keyword}' (+1 per token of it)";

    public IReadOnlyList<double[]> Score(IReadOnlyList<PpoSample> samples) =>
        [.. samples.Select(s => s.Response.Select(id => keywordTokens.Contains(id) ? 1.0 : 0.0).ToArray())];

    public void Dispose() { }
}
