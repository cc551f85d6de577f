using AlignLab.Core.Ppo;
using AlignLab.Core.R3;
using AlignLab.Core.RewardHacking;
using AlignLab.Core.Runs;
using AlignLab.Jobs.Execution;

namespace AlignLab.Web.RewardHacking;

/// <summary>A PPO run's reward-hacking report with the stored samples that show a shortcut.</summary>
public sealed record RunRewardHackingReport(RewardHackingReport Report, IReadOnlyList<FlaggedSample> Examples);

/// <summary>A stored sample that copies its query or repeats itself.</summary>
public sealed record FlaggedSample(long Step, string Prompt, string Response, double Reward, bool CopiesQuery, double Repeat4);

/// <summary>Builds a run's reward-hacking report from the rollout statistics its PPO trainer wrote
/// (rollout_stats.jsonl) and picks flagged examples, newest first, from its samples (samples.jsonl).</summary>
public sealed class RunRewardHacking(RunArtifacts artifacts)
{
    /// <summary>Null when the run wrote no rollout statistics (it is not a PPO run, or has not finished a step).</summary>
    public RunRewardHackingReport? Load(Guid runId, int phases = 5, int examples = 5)
    {
        var folder = artifacts.RunDirectory(runId);
        var stats = StepLog.Read<RolloutStat>(Path.Combine(folder, PpoArtifacts.RolloutStatsFile)).ToList();
        if (stats.Count == 0) return null;
        var flagged = StepLog.Read<GenerationSample>(Path.Combine(folder, PpoArtifacts.SamplesFile))
            .Select(s => (Sample: s, Stat: RolloutStat.Measure(s.Step, QueryText.Of(s.Prompt, s.Input ?? ""), s.Response, 0, false)))
            .Where(x => x.Stat.CopiesQuery || x.Stat.Repetitive)
            .Reverse()
            .Take(examples)
            .Select(x => new FlaggedSample(x.Sample.Step, x.Sample.Prompt, x.Sample.Response, x.Sample.Reward, x.Stat.CopiesQuery, x.Stat.Repeat4))
            .ToList();
        return new RunRewardHackingReport(RewardHackingReport.Build(stats, phases), flagged);
    }
}
