using AlignLab.Core.ChatTemplates;
using AlignLab.Core.RewardModeling;
using AlignLab.Core.Tokenization;
using static TorchSharp.torch;

namespace AlignLab.Training.Rewards;

/// <summary>Scores responses with a reward model loaded for the call on the CPU (<see cref="RewardModel"/>), off the
/// caller's thread.</summary>
public sealed class RewardScorer : IRewardScorer
{
    public Task<IReadOnlyList<double[]>> ScoreAsync(string folder, string template,
        IReadOnlyList<IReadOnlyList<(string Instruction, string Input, string Response)>> columns, CancellationToken cancellationToken = default) =>
        Task.Run(() =>
        {
            RewardModel rewardModel;
            try { rewardModel = RewardModel.Load(folder, CPU); }
            catch (Exception e) when (e is not OperationCanceledException) { throw new RewardScoringException("model", $"not a reward model: {e.Message}"); }
            using (rewardModel)
            {
                PromptTemplate prompt;
                try { prompt = PromptTemplate.Resolve(template, rewardModel.Tokenizer); }
                catch (Exception e) when (e is ArgumentException or ChatTemplateException) { throw new RewardScoringException("template", e.Message); }
                IReadOnlyList<double[]> scored = [.. columns.Select(items => rewardModel.Score(items, prompt))];
                return scored;
            }
        }, cancellationToken);
}
