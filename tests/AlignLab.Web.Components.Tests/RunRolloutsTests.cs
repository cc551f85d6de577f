using AlignLab.Core.Ppo;
using AlignLab.Core.Runs;
using AlignLab.Jobs.Execution;
using AlignLab.Web.Runs;

namespace AlignLab.Web.Components.Tests;

/// <summary>The rollouts reader parses a run's file once per version: a second read of an unchanged file gives the same
/// records, and a step appended since (a run still training) is seen at once.</summary>
public sealed class RunRolloutsTests
{
    private static RolloutRecord Rollout(long step, int index, double score) =>
        new(step, index, "prompt", "response", ["a"], [-1f], [-1.5f], [0.5f], [0.1f], [0f], [-0.05f], [0.2f], score, null, false, false, false);

    [Fact]
    public void AnUnchangedFileIsReadOnceAndAnAppendedStepIsSeen()
    {
        var artifacts = new RunArtifacts(Directory.CreateTempSubdirectory("alignlab-rollouts-").FullName);
        var run = Guid.NewGuid();
        Directory.CreateDirectory(artifacts.RunDirectory(run));
        var log = new StepLog(Path.Combine(artifacts.RunDirectory(run), PpoArtifacts.RolloutsFile));
        log.Append([Rollout(1, 0, 0.5), Rollout(1, 1, 0.9)]);
        var rollouts = new RunRollouts(artifacts);

        var first = rollouts.Read(run, new RunRollouts.Query()).Page!;
        var again = rollouts.Read(run, new RunRollouts.Query(Step: 1, Sort: "-score")).Page!;
        Assert.Equal([1L], first.Steps);
        Assert.Same(first.Rollouts[0], again.Rollouts[1]);              // the same parsed record: not read again
        Assert.Equal(0.9, again.Rollouts[0].Score);

        log.Append([Rollout(10, 0, 0.1)]);
        var grown = rollouts.Read(run, new RunRollouts.Query()).Page!;
        Assert.Equal([1L, 10L], grown.Steps);
        Assert.Equal(10, grown.Step);
        Assert.Equal(new FileInfo(Path.Combine(artifacts.RunDirectory(run), PpoArtifacts.RolloutsFile)).Length, grown.Bytes);
    }
}
