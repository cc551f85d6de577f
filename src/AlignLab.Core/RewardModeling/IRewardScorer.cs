namespace AlignLab.Core.RewardModeling;

/// <summary>Scores responses with a reward model (R(x, y), one scalar each) on this node's CPU.</summary>
public interface IRewardScorer
{
    /// <summary>The reward of every (instruction, input, response) of every column, in order, the prompt rendered by the
    /// template named <paramref name="template"/> ("model": the reward model's own chat template). Throws
    /// <see cref="RewardScoringException"/> naming "model" or "template" when either will not do.</summary>
    Task<IReadOnlyList<double[]>> ScoreAsync(string folder, string template,
        IReadOnlyList<IReadOnlyList<(string Instruction, string Input, string Response)>> columns, CancellationToken cancellationToken = default);
}

/// <summary>The reward model or the template cannot score: <see cref="Field"/> names which.</summary>
public sealed class RewardScoringException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}
