namespace AlignLab.Core.Datasets;

/// <summary>Stored datasets, as methods read them.</summary>
public interface IDatasetStore
{
    /// <summary>A dataset's kind and records; throws <see cref="KeyNotFoundException"/> if there is none with that id.</summary>
    Task<StoredDataset> LoadAsync(Guid id, CancellationToken cancellationToken = default);
}
