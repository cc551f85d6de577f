namespace AlignLab.Core.Ppo;

/// <summary>Running mean and standard deviation of a stream of rewards, merged batch by batch (Chan et al.), as TRL's
/// RunningMoments (trl/trainer/utils.py, v0.7.4) keeps them: it starts at mean 0, variance 1 and a count of 1e-24, merges
/// each batch's population variance, and reports the sample standard deviation of everything seen.</summary>
public sealed class RunningMoments
{
    public double Mean { get; private set; }
    public double Variance { get; private set; } = 1;
    public double Std { get; private set; } = 1;
    public double Count { get; private set; } = 1e-24;

    /// <summary>Restores moments saved with a checkpoint.</summary>
    public void Reset(double mean, double variance, double count)
    {
        (Mean, Variance, Count) = (mean, variance, count);
        Std = Math.Sqrt(Variance * Count / (Count - 1));
    }

    public void Update(IReadOnlyList<double> xs)
    {
        if (xs.Count == 0) return;
        double n = xs.Count, mean = xs.Average(), variance = xs.Sum(x => (x - mean) * (x - mean)) / n;
        var delta = mean - Mean;
        var total = Count + n;
        var sum = Variance * Count + delta * delta * Count * n / total + variance * n;
        Mean += delta * n / total;
        Variance = sum / total;
        Std = Math.Sqrt(Variance * total / (total - 1));
        Count = total;
    }
}

/// <summary>How PPO treats its raw rewards before the KL penalty, as TRL's PPOTrainer.step does with use_score_scaling,
/// use_score_norm and score_clip (R³'s authors run with all three, clip 10): the running moments are first updated with
/// the batch, then each reward is divided by the running standard deviation (after subtracting the running mean when
/// normalising), then clipped to ±clip.</summary>
/// <param name="Clip">0: no clipping.</param>
public sealed record ScoreScaling(bool Scale, bool Normalize, double Clip)
{
    /// <summary>TRL adds float32's machine epsilon to the standard deviation.</summary>
    public const double Epsilon = 1.1920928955078125e-07;

    public bool Active => Scale || Clip > 0;

    /// <summary>The batch's rewards, scaled and clipped; <paramref name="running"/> takes the batch in first.</summary>
    public double[] Apply(IReadOnlyList<double> scores, RunningMoments running)
    {
        var result = scores.ToArray();
        if (Scale)
        {
            running.Update(scores);
            var factor = running.Std + Epsilon;
            for (int i = 0; i < result.Length; i++) result[i] = Normalize ? (result[i] - running.Mean) / factor : result[i] / factor;
        }
        if (Clip > 0)
            for (int i = 0; i < result.Length; i++) result[i] = Math.Clamp(result[i], -Clip, Clip);
        return result;
    }
}
