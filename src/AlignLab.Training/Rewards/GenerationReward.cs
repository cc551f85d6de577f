using AlignLab.Core.Tokenization;
using AlignLab.Training.Inference;
using AlignLab.Training.Models;

namespace AlignLab.Training.Rewards;

/// <summary>The paper's main evaluation: the policy answers held-out prompts (greedy), the reward model scores
/// prompt + answer, and the mean is reported.</summary>
public static class GenerationReward
{
    public sealed record Prompt(string Instruction, string Input, int[] Tokens);

    public static double Mean(CausalLM policy, TextTokenizer tokenizer, RewardModel rewardModel, IReadOnlyList<Prompt> prompts,
        PromptTemplate template, int maxNewTokens, int batchSize)
    {
        if (prompts.Count == 0) return double.NaN;
        var answers = new List<string>(prompts.Count);
        var options = new GenerationOptions { MaxNewTokens = maxNewTokens, Temperature = 0, EosTokenId = tokenizer.EosTokenId, StopTokenIds = tokenizer.EosTokenIds, PadTokenId = tokenizer.PadTokenId };
        foreach (var batch in prompts.Chunk(batchSize))
            answers.AddRange(TextGenerator.Generate(policy, [.. batch.Select(p => p.Tokens)], options).Select(s => tokenizer.Decode(s.Tokens)));
        return rewardModel.Score([.. prompts.Select((p, i) => (p.Instruction, p.Input, answers[i]))], template, batchSize).Average();
    }
}
