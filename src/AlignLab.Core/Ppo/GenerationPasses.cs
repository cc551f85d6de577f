namespace AlignLab.Core.Ppo;

/// <summary>How many of a rollout batch's prompts go through the model in one pass: <c>generation_batch_size</c>, or the
/// whole batch when it is 0 (or larger than the batch). Generation runs its passes by it, PPO scores its rollouts in the
/// same passes, and the memory estimate counts one pass's KV cache and logits by it.</summary>
public static class GenerationPasses
{
    /// <param name="requested">generation_batch_size; 0 (or less) for one pass of everything.</param>
    /// <param name="rows">The prompts (or rollouts) of the batch.</param>
    public static int RowsPerPass(int requested, int rows) => requested > 0 ? Math.Min(requested, rows) : rows;
}
