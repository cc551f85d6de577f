using AlignLab.Training.Rewards;
using AlignLab.Training.Tokenization;
using static TorchSharp.torch;

namespace AlignLab.Training.Ppo;

/// <summary>Rewards from a trained reward model. A token-level model (seed 002) gives each response token its own
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

    public string Description => $"{(_model.TokenLevel ? "token-level" : "sequence-level")} reward model";

    public IReadOnlyList<double[]> Score(IReadOnlyList<PpoSample> samples)
    {
        if (!_model.TokenLevel)
        {
            var rewards = _model.Score([.. samples.Select(s => (s.Instruction, s.Input, s.ResponseText))], _template);
            return [.. samples.Select((s, i) => Enumerable.Range(0, s.Response.Length).Select(t => t == s.Response.Length - 1 ? rewards[i] : 0.0).ToArray())];
        }
        var result = new List<double[]>(samples.Count);
        using var noGrad = no_grad();
        foreach (var chunk in samples.Chunk(8))
        {
            using var scope = NewDisposeScope();
            var length = chunk.Max(s => s.Prompt.Length + s.Response.Length);
            var ids = new long[chunk.Length * length];
            var mask = new long[ids.Length];
            for (int b = 0; b < chunk.Length; b++)
            {
                int[] row = [.. chunk[b].Prompt, .. chunk[b].Response];
                for (int t = 0; t < length; t++)
                {
                    ids[b * length + t] = t < row.Length ? row[t] : _model.Tokenizer.PadTokenId;
                    mask[b * length + t] = t < row.Length ? 1 : 0;
                }
            }
            var scores = _model.Classifier.Scores(tensor(ids, [chunk.Length, length], device: _model.Device), tensor(mask, [chunk.Length, length], device: _model.Device))
                .select(2, 0).to(ScalarType.Float64).cpu();
            for (int b = 0; b < chunk.Length; b++)
                result.Add(scores[b].narrow(0, chunk[b].Prompt.Length, chunk[b].Response.Length).data<double>().ToArray());
        }
        return result;
    }

    public void Dispose() => _model.Dispose();
}
