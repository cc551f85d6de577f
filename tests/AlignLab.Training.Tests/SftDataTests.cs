using AlignLab.Core.Datasets;
using AlignLab.Training.Methods.Sft;

namespace AlignLab.Training.Tests;

/// <summary>SFT learns from stored datasets too: each record's instruction, input and output; a kind without outputs, an
/// unknown id and a name that is no built-in are refused naming the parameter.</summary>
public sealed class SftDataTests
{
    private sealed class OneDataset(StoredDataset dataset) : IDatasetStore
    {
        public Task<StoredDataset> LoadAsync(Guid id, CancellationToken cancellationToken = default) =>
            id == dataset.Id ? Task.FromResult(dataset) : throw new KeyNotFoundException($"no dataset {id}");

        public Task<Guid> SaveFromRunAsync(Guid runId, string name, string kind, IReadOnlyList<SpaRecord> records, object stats,
            CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }

    [Fact]
    public async Task AStoredPoolGivesItsInstructionsInputsAndOutputsAndBuiltInsStayAvailable()
    {
        var pool = new StoredDataset(Guid.NewGuid(), DatasetKinds.Pool,
        [
            new SpaRecord("What is 2 plus 2?", "", "It is 4.", "", ""),
            new SpaRecord("Translate", "chat", "le chat", "", ""),
        ]);
        var examples = await SftData.ExamplesAsync(pool.Id.ToString(), new OneDataset(pool), CancellationToken.None);
        Assert.Equal([new SftData.Example("What is 2 plus 2?", "", "It is 4."), new SftData.Example("Translate", "chat", "le chat")], examples);

        var initial = await SftData.ExamplesAsync(SftData.DemoSpaInitial, null, CancellationToken.None);
        Assert.Equal(1000, initial.Count);
        Assert.Equal(AlignLab.Core.Demo.DemoData.GeneratePairs(1000, seed: 11)[0].WrongResponse, initial[0].Response);
    }

    [Fact]
    public async Task AKindWithoutOutputsAnUnknownIdOrAnUnknownNameIsRefusedNamingTheParameter()
    {
        var edits = new StoredDataset(Guid.NewGuid(), DatasetKinds.Edits, [new SpaRecord("Capital?", "", "", "Oslo.", "Lima.")]);
        var store = new OneDataset(edits);
        var noOutputs = await Assert.ThrowsAsync<ArgumentException>(() => SftData.ExamplesAsync(edits.Id.ToString(), store, CancellationToken.None));
        Assert.StartsWith("dataset:", noOutputs.Message);
        var unknown = await Assert.ThrowsAsync<ArgumentException>(() => SftData.ExamplesAsync(Guid.NewGuid().ToString(), store, CancellationToken.None));
        Assert.StartsWith("dataset: no dataset", unknown.Message);
        var name = await Assert.ThrowsAsync<ArgumentException>(() => SftData.ExamplesAsync("demo-everything", store, CancellationToken.None));
        Assert.Contains("neither demo, demo-spa-initial", name.Message);
    }
}
