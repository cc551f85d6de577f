namespace AlignLab.Core.Training;

public enum ScheduleKind { Constant, Cosine, Linear }

/// <summary>Learning rate at an optimizer step: linear warmup from 0 over <see cref="WarmupSteps"/>, then constant,
/// cosine decay or linear decay to <see cref="MinRatio"/> · base at <see cref="TotalSteps"/> (as transformers'
/// get_*_schedule_with_warmup, which decay to 0 when MinRatio is 0).</summary>
public sealed record LearningRateSchedule(ScheduleKind Kind, double BaseRate, long WarmupSteps, long TotalSteps, double MinRatio = 0)
{
    /// <param name="step">0-based index of the optimizer step about to be taken.</param>
    public double At(long step)
    {
        if (WarmupSteps > 0 && step < WarmupSteps) return BaseRate * (step + 1) / WarmupSteps;
        if (Kind == ScheduleKind.Constant) return BaseRate;
        var decaySteps = Math.Max(1, TotalSteps - WarmupSteps);
        var progress = Math.Clamp((double)(step - WarmupSteps) / decaySteps, 0, 1);
        var factor = Kind == ScheduleKind.Cosine ? 0.5 * (1 + Math.Cos(Math.PI * progress)) : 1 - progress;
        return BaseRate * (MinRatio + (1 - MinRatio) * factor);
    }

    public static ScheduleKind Parse(string name) => name switch
    {
        "constant" => ScheduleKind.Constant,
        "cosine" => ScheduleKind.Cosine,
        "linear" => ScheduleKind.Linear,
        _ => throw new ArgumentException($"unknown schedule '{name}'"),
    };
}
