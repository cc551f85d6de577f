namespace AlignLab.Core.Construction;

/// <summary>A revision of an initial response: the reason it was judged worse and the minimally edited text.</summary>
public sealed record Revision(RevisionReason Reason, string Text, int Attempts);

/// <summary>Revises Ŷ towards Y (Algorithm 1, step 4). Throws <see cref="RevisionFailedException"/> once it gives up.</summary>
public interface IResponseReviser
{
    /// <summary>Whether revision is set up (endpoint configured); the job fails early with the reason otherwise.</summary>
    string? NotConfiguredReason { get; }

    Task<Revision> ReviseAsync(string question, string initial, string reference, CancellationToken cancellationToken);
}

public sealed class RevisionFailedException(string message, int attempts, Exception? inner = null) : Exception(message, inner)
{
    public int Attempts { get; } = attempts;
}
