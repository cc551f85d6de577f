using AlignLab.Core.Training;

namespace AlignLab.Core.Tests;

public class LearningRateScheduleTests
{
    [Fact]
    public void WarmupRisesLinearlyToTheBaseRate()
    {
        var schedule = new LearningRateSchedule(ScheduleKind.Constant, 1e-3, WarmupSteps: 4, TotalSteps: 100);
        Assert.Equal([0.25e-3, 0.5e-3, 0.75e-3, 1e-3, 1e-3], Enumerable.Range(0, 5).Select(s => schedule.At(s)), new Tolerance(1e-15));
    }

    [Fact]
    public void CosineDecaysToTheMinimumAtTheEnd()
    {
        // warmup 10, 110 steps: at step 60 half way through the decay, cos(π/2) = 0 → 0.5 · base.
        var schedule = new LearningRateSchedule(ScheduleKind.Cosine, 2.0, WarmupSteps: 10, TotalSteps: 110);
        Assert.Equal(2.0, schedule.At(10), 12);
        Assert.Equal(1.0, schedule.At(60), 12);
        Assert.Equal(2.0 * 0.5 * (1 + Math.Cos(Math.PI * 0.25)), schedule.At(35), 12);
        Assert.Equal(0.0, schedule.At(110), 12);
        Assert.Equal(0.0, schedule.At(500), 12);
        var floored = schedule with { MinRatio = 0.1 };
        Assert.Equal(0.2, floored.At(110), 12);
    }

    [Fact]
    public void LinearDecaysProportionally()
    {
        var schedule = new LearningRateSchedule(ScheduleKind.Linear, 1.0, WarmupSteps: 0, TotalSteps: 4);
        Assert.Equal([1.0, 0.75, 0.5, 0.25, 0.0], Enumerable.Range(0, 5).Select(s => schedule.At(s)), new Tolerance(1e-12));
    }

    private sealed class Tolerance(double epsilon) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= epsilon;
        public int GetHashCode(double obj) => 0;
    }
}
