using AlignLab.Core.Datasets;

namespace AlignLab.Core.Construction;

/// <summary>Where an SPA construction keeps its instances. Every stage's result is written as it finishes, so a
/// job that restarts reads back what is done and continues.</summary>
public interface IConstructionStore
{
    /// <summary>Creates the construction and its pending instances in one transaction, unless it exists already
    /// (a restarted job); returns all instances.</summary>
    Task<IReadOnlyList<ConstructionItem>> InitializeAsync(Guid runId, string revision, RewardThresholds thresholds,
        IReadOnlyList<SpaRecord> pool, CancellationToken cancellationToken);

    Task<IReadOnlyList<ConstructionItem>> ItemsAsync(Guid runId, CancellationToken cancellationToken);

    Task SaveRolloutsAsync(Guid runId, IReadOnlyList<(int Index, string Rollout)> rollouts, CancellationToken cancellationToken);

    /// <summary>Stores both rewards and the filter's verdict: <paramref name="keptStatus"/> when kept, filtered_out otherwise.</summary>
    Task SaveScoresAsync(Guid runId, IReadOnlyList<(int Index, double RolloutReward, double OutputReward, bool Kept)> scores,
        string keptStatus, CancellationToken cancellationToken);

    Task SaveRevisionAsync(Guid runId, int index, Revision revision, string revisedBy, CancellationToken cancellationToken);

    Task SaveFailureAsync(Guid runId, int index, string error, int attempts, CancellationToken cancellationToken);

    /// <summary>Creates the SPA dataset from the revised instances (once; later calls return the same id) and
    /// returns its id, or null when no instance was revised.</summary>
    Task<Guid?> FinalizeAsync(Guid runId, string datasetName, Func<IReadOnlyList<SpaRecord>, object> statistics, CancellationToken cancellationToken);
}
