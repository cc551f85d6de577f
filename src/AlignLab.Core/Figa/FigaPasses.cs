namespace AlignLab.Core.Figa;

/// <summary>How many of a FIGA step's micro-batches go through the model in one pass: <c>micro_batches_per_pass</c>, at
/// least 1 and at most the step's <c>grad_accum</c> micro-batches (a pass never spans two optimizer steps). The method
/// runs its passes by it and the memory estimate counts a pass's rows by it.</summary>
public static class FigaPasses
{
    /// <param name="gradAccum">The step's micro-batches; null when not known (the estimate of a run that leaves it unset).</param>
    public static int MicroBatchesPerPass(int requested, int? gradAccum) => Math.Min(Math.Max(1, requested), Math.Max(1, gradAccum ?? int.MaxValue));
}
