namespace AlignLab.Core.Checkpoints;

/// <summary>Checkpoints of one run. A checkpoint is a folder written by the method; it becomes visible
/// only once complete, so a crash mid-write leaves the previous checkpoint as the latest.</summary>
public interface ICheckpointStore
{
    /// <summary>The newest complete checkpoint, or null if the run has none.</summary>
    Checkpoint? Latest();

    /// <summary>Writes a checkpoint for <paramref name="step"/>: <paramref name="write"/> fills the folder it is given.</summary>
    Task<Checkpoint> SaveAsync(long step, Func<string, Task> write, CancellationToken cancellationToken = default);
}

/// <summary>A complete checkpoint: the step it was taken after and the folder holding it.</summary>
public sealed record Checkpoint(long Step, string Directory);
