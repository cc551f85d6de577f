using AlignLab.Core.Checkpoints;

namespace AlignLab.Core.Tests;

public class FileCheckpointStoreTests
{
    private readonly FileCheckpointStore _store = new(Path.Combine(Directory.CreateTempSubdirectory("ckpt-").FullName, "checkpoints"));

    private Task Save(long step) => _store.SaveAsync(step, dir => File.WriteAllTextAsync(Path.Combine(dir, "s"), step.ToString()));

    [Fact]
    public async Task LatestIsTheHighestCompleteStepAndOnlyTheNewestAreKept()
    {
        Assert.Null(_store.Latest());
        foreach (var step in new long[] { 5, 10, 15, 20 }) await Save(step);

        var latest = _store.Latest()!;
        Assert.Equal(20, latest.Step);
        Assert.Equal("20", File.ReadAllText(Path.Combine(latest.Directory, "s")));
        Assert.Equal(FileCheckpointStore.Keep, Directory.GetDirectories(_store.Directory).Length);
    }

    [Fact]
    public async Task AWriteThatFailsLeavesThePreviousCheckpointLatestAndNoDebris()
    {
        await Save(5);
        await Assert.ThrowsAsync<IOException>(() => _store.SaveAsync(10, async dir =>
        {
            await File.WriteAllTextAsync(Path.Combine(dir, "half"), "x");
            throw new IOException("disk full");
        }));

        Assert.Equal(5, _store.Latest()!.Step);
        Assert.Single(Directory.GetDirectories(_store.Directory));
    }

    [Fact]
    public async Task SavingTheSameStepAgainReplacesIt()
    {
        await Save(7);
        await _store.SaveAsync(7, dir => File.WriteAllTextAsync(Path.Combine(dir, "s"), "again"));
        Assert.Equal("again", File.ReadAllText(Path.Combine(_store.Latest()!.Directory, "s")));
    }

    [Fact]
    public void FoldersThatAreNotCheckpointsAreIgnored()
    {
        Directory.CreateDirectory(Path.Combine(_store.Directory, ".step-9.abc.partial"));
        Directory.CreateDirectory(Path.Combine(_store.Directory, "step-x"));
        Assert.Null(_store.Latest());
    }
}
