using AlignLab.Core.Tokenization;
using AlignLab.Training.Rewards;

namespace AlignLab.Training.Methods.Ppo;

/// <summary>Rewards from a trained reward model. A token-level model (“Aligning Large Language Models via Fine-grained Supervision”) gives each response token its own
/// reward r_t, read at that token's position (it must share the policy's tokenizer, since rewards are placed on
/// the policy's tokens); a sequence-level model gives R at the last token, as standard RLHF does.</summary>
public sealed class RewardModelSource : IRewardSource
{
    private readonly RewardModel _model;
    private readonly PromptTemplate _template;

    public RewardModelSource(RewardModel model, PromptTemplate template, TextTokenizer policyTokenizer)
    {
        if (model.TokenLevel && model.Tokenizer.VocabularySize != policyTokenizer.VocabularySize)
            throw new ArgumentException("reward_model: a token-level reward model must share the policy's tokenizer " +
                $"(vocabularies of {model.Tokenizer.VocabularySize} and {policyTokenizer.VocabularySize} tokens)");
        _model = model;
        _template = template;
    }

    public bool PerToken => _model.TokenLevel;

    public string Description => $"{(_model.TokenLevel ? "token-level" : "sequence-level")} reward model";

    public IReadOnlyList<double[]> Score(IReadOnlyList<PpoSample> samples)
    {
        if (!_model.TokenLevel)
        {
            var rewards = _model.Score([.. samples.Select(s => (s.Instruction, s.Input, s.ResponseText))], _template);
            return [.. samples.Select((s, i) => Enumerable.Range(0, s.Response.Length).Select(t => t == s.Response.Length - 1 ? rewards[i] : 0.0).ToArray())];
        }
        return _model.TokenScores([.. samples.Select(s => (s.Prompt, s.Response))]);
    }

    public void Dispose() => _model.Dispose();
}
