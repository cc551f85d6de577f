namespace AlignLab.Core.Figa;

/// <summary>Asks an LLM to score the words of a better response against an initial one (Table 5's "ChatGPT" variants of
/// FIGA, with <see cref="TokenImportance.Prompt"/>). Throws <see cref="TokenImportanceFailedException"/> once it gives up.</summary>
public interface ITokenImportanceAnnotator
{
    /// <summary>Why no endpoint can be asked (none configured), or null.</summary>
    string? NotConfiguredReason { get; }

    Task<IReadOnlyList<WordScore>> ScoreAsync(string question, string original, string better, CancellationToken cancellationToken);
}

public sealed class TokenImportanceFailedException(string message, Exception? inner = null) : Exception(message, inner);
