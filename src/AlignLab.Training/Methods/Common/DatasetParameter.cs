using AlignLab.Core.Datasets;
using AlignLab.Core.Demo;

namespace AlignLab.Training.Methods.Common;

/// <summary>Reads a method's dataset parameter: one of its built-in datasets (<see cref="BuiltInDatasets"/>), or the id of
/// a stored one. Every error is an <see cref="ArgumentException"/> that names the parameter, so the run fails with that
/// reason before training.</summary>
public static class DatasetParameter
{
    /// <param name="builtIn">The built-in datasets this parameter accepts, by name.</param>
    public static async Task<StoredDataset> LoadAsync(IDatasetStore? store, string parameter, string value, IReadOnlyList<string> builtIn,
        CancellationToken cancellationToken)
    {
        if (builtIn.Contains(value) && BuiltInDatasets.Find(value) is { } dataset) return dataset.Load();
        if (Guid.TryParse(value, out var id) && store is not null)
        {
            try { return await store.LoadAsync(id, cancellationToken); }
            catch (KeyNotFoundException e) { throw new ArgumentException($"{parameter}: {e.Message}"); }
        }
        throw new ArgumentException($"{parameter}: '{value}' is neither {string.Join(", ", builtIn)} nor the id of a stored dataset");
    }

    /// <summary>The records, if the dataset's kind has every one of <paramref name="parts"/>.</summary>
    public static IReadOnlyList<SpaRecord> Require(this StoredDataset dataset, string parameter, params RecordPart[] parts)
    {
        try { return dataset.Require(parts); }
        catch (ArgumentException e) { throw new ArgumentException($"{parameter}: {e.Message}"); }
    }
}
