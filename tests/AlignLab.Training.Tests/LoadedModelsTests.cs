using AlignLab.Testing;
using AlignLab.Training.Demo;
using AlignLab.Training.Registry;

namespace AlignLab.Training.Tests;

/// <summary>A node keeps what its previews load: the same retriever and language model serve repeated previews until
/// their folder's files change, and the two kinds of the node's few models are kept apart.</summary>
public sealed class LoadedModelsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("alignlab-loaded-").FullName;

    [Fact]
    public async Task RepeatedUsesShareOneLoadUntilTheFolderChanges()
    {
        var retriever = Path.Combine(_root, "tiny-bert");
        TestRetrievers.CreateTiny(retriever);
        var demo = DemoModel.Ensure(Path.Combine(_root, DemoModel.Name));
        using var loaded = new LoadedModels();

        var first = await loaded.UseRetrieverAsync(retriever, r => r);
        Assert.Same(first, await loaded.UseRetrieverAsync(retriever, r => r));
        var model = await loaded.UseModelAsync(demo, m => m);
        Assert.Same(model, await loaded.UseModelAsync(demo, m => m));
        Assert.Same(first, await loaded.UseRetrieverAsync(retriever, r => r));     // both kept: the capacity is two

        // A replaced file (a newer write time) means a new load.
        File.SetLastWriteTimeUtc(Path.Combine(retriever, "config.json"), DateTime.UtcNow.AddMinutes(1));
        Assert.NotSame(first, await loaded.UseRetrieverAsync(retriever, r => r));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
