namespace AlignLab.Core.R3;

/// <summary>One query's classification: the type, or why there is none; the raw answer as given.</summary>
public sealed record QueryTypeVerdict(QueryType? Type, string Answer, string? Error = null, int Attempts = 1);

/// <summary>Classifies queries as open- or closed-ended with “Preference-free Alignment Learning with Regularized Relevance Reward”'s prompt (<see cref="QueryTypePrompt"/>).</summary>
public interface IQueryTypeClassifier : IDisposable
{
    /// <summary>One verdict per conversation, in order. A query the classifier could not answer has an Error; only
    /// cancellation and faults of the classifier itself throw.</summary>
    Task<IReadOnlyList<QueryTypeVerdict>> ClassifyAsync(IReadOnlyList<string> conversations, CancellationToken cancellationToken);
}
