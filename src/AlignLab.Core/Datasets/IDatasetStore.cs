namespace AlignLab.Core.Datasets;

/// <summary>Stored datasets, as methods read them.</summary>
public interface IDatasetStore
{
    /// <summary>The records of an SPA dataset; throws <see cref="KeyNotFoundException"/> if there is none with that id,
    /// <see cref="ArgumentException"/> if the dataset is not of kind spa.</summary>
    Task<IReadOnlyList<SpaRecord>> LoadSpaAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>The (instruction, input, output) instances of any dataset (a pool, or SPA pairs used as a pool).</summary>
    Task<IReadOnlyList<SpaRecord>> LoadInstancesAsync(Guid id, CancellationToken cancellationToken = default);
}
