using AlignLab.Core.RewardModeling;
using AlignLab.Jobs.Execution;

namespace AlignLab.Jobs.Tests;

/// <summary>A run's JSON artifact is read into its Core record; a file not written yet is no error, and a broken one says
/// which file and why instead of being taken for "nothing yet".</summary>
public sealed class RunArtifactsTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "alignlab-artifacts-" + Guid.NewGuid().ToString("N"));
    private readonly Guid _run = Guid.NewGuid();

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, true);
    }

    private RunArtifacts Write(string text)
    {
        var artifacts = new RunArtifacts(_root);
        Directory.CreateDirectory(artifacts.RunDirectory(_run));
        File.WriteAllText(artifacts.PathOf(_run, RewardModelArtifacts.DistributionFile), text);
        return artifacts;
    }

    [Fact]
    public async Task AFileNotWrittenYetIsNeitherAValueNorAnError()
    {
        var (value, error) = await new RunArtifacts(_root).ReadJsonAsync<RewardModelArtifacts.Distribution>(_run, RewardModelArtifacts.DistributionFile);
        Assert.Null(value);
        Assert.Null(error);
    }

    [Fact]
    public async Task AWrittenFileIsReadIntoItsRecord()
    {
        var artifacts = Write("""{"accuracy": 0.75, "preferred": [1.5, 2], "other": [-1, 0.25]}""");
        var (value, error) = await artifacts.ReadJsonAsync<RewardModelArtifacts.Distribution>(_run, RewardModelArtifacts.DistributionFile);
        Assert.Null(error);
        Assert.Equal(0.75, value!.Accuracy);
        Assert.Equal([1.5, 2.0], value.Preferred);
        Assert.Equal([-1.0, 0.25], value.Other);
    }

    [Fact]
    public async Task ABrokenFileSaysWhichAndWhy()
    {
        var artifacts = Write("""{"accuracy": 0.75, "preferred": [1.5,""");
        var (value, error) = await artifacts.ReadJsonAsync<RewardModelArtifacts.Distribution>(_run, RewardModelArtifacts.DistributionFile);
        Assert.Null(value);
        Assert.StartsWith($"{RewardModelArtifacts.DistributionFile} cannot be read: ", error);
    }
}
