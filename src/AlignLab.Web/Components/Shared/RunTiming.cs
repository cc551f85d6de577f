using AlignLab.Core.Runs;

namespace AlignLab.Web.Components.Shared;

/// <summary>How long a run has left, from its pace so far, and durations as people read them.</summary>
public static class RunTiming
{
    /// <summary>Time left at the pace since the run started: elapsed / step · (total − step). Null before the first
    /// step, without a start, or once every step is done.</summary>
    public static TimeSpan? Eta(Run run, DateTimeOffset now)
    {
        if (run.StartedAt is not { } started || run.Step <= 0 || run.TotalSteps <= run.Step) return null;
        var elapsed = now - started;
        if (elapsed <= TimeSpan.Zero) return null;
        return elapsed / run.Step * (run.TotalSteps - run.Step);
    }

    /// <summary>"42 s", "7 min", "2 h 05 min".</summary>
    public static string Format(TimeSpan span) =>
        span.TotalSeconds < 60 ? $"{Math.Max(0, (int)span.TotalSeconds)} s"
        : span.TotalHours < 1 ? $"{(int)span.TotalMinutes} min"
        : $"{(int)span.TotalHours} h {span.Minutes:00} min";
}
