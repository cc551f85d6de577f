namespace AlignLab.Core.Datasets;

/// <summary>Stored datasets, as methods read them.</summary>
public interface IDatasetStore
{
    /// <summary>The records of an SPA dataset; throws <see cref="KeyNotFoundException"/> if there is none with that id.</summary>
    Task<IReadOnlyList<SpaRecord>> LoadSpaAsync(Guid id, CancellationToken cancellationToken = default);
}
