namespace AlignLab.Core.Datasets;

/// <summary>Stored datasets, as methods read and write them.</summary>
public interface IDatasetStore
{
    /// <summary>A dataset's kind and records; throws <see cref="KeyNotFoundException"/> if there is none with that id.</summary>
    Task<StoredDataset> LoadAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>Stores the dataset a run made, in one transaction; a run makes at most one, so a retried job gets the id
    /// of the one it already wrote.</summary>
    Task<Guid> SaveFromRunAsync(Guid runId, string name, string kind, IReadOnlyList<SpaRecord> records, object stats,
        CancellationToken cancellationToken = default);
}
