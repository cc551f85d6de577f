using AlignLab.Core.Metrics;
using AlignLab.Core.Runs;
using AlignLab.Web.Realtime;

namespace AlignLab.Web.Components.Tests.Realtime;

public sealed class ForwardedPositionsTests
{
    private static readonly Guid Run = Guid.NewGuid();

    private static MetricPoint P(long step, string name) => new(step, name, step, DateTimeOffset.UnixEpoch);

    [Fact]
    public void APointIsForwardedOncePerSeriesEvenWhenACatchUpAndANotificationBothCarryIt()
    {
        var forwarded = new ForwardedPositions();
        // The catch-up delivered loss 1..3 and eval 2; the notification queued behind it repeats loss 2..3, adds 4.
        Assert.Equal(4, forwarded.Advance(Run, [P(1, "loss"), P(2, "loss"), P(2, "eval"), P(3, "loss")]).Count);
        var fresh = forwarded.Advance(Run, [P(2, "loss"), P(3, "loss"), P(2, "eval"), P(3, "eval"), P(4, "loss")]);
        Assert.Equal([(3L, "eval"), (4L, "loss")], fresh.Select(p => (p.Step, p.Name)));
        Assert.Equal(4, forwarded.LastStep(Run, "loss"));
        Assert.Null(forwarded.LastStep(Run, "kl"));
    }

    [Fact]
    public void ABaselineCountsAsForwardedAndAFinalStatusEndsTheRun()
    {
        var forwarded = new ForwardedPositions();
        forwarded.Baseline(Run, RunStatus.Running, [("loss", 10)]);
        Assert.Empty(forwarded.Advance(Run, [P(9, "loss"), P(10, "loss")]));
        Assert.False(forwarded.Finished(Run, RunStatus.Running));

        forwarded.RecordStatus(Run, RunStatus.Succeeded);
        Assert.True(forwarded.Finished(Run, RunStatus.Succeeded));
        Assert.False(forwarded.Finished(Run, RunStatus.Failed));
        Assert.Null(forwarded.LastStep(Run, "loss")); // a finished run's series are forgotten
    }
}
