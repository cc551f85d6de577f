using AlignLab.Core.Figa;

namespace AlignLab.Jobs.ChatCompletions;

/// <summary>Scores the words of a revision through the chat-completions endpoint with “Beyond Imitation”'s prompt (appendix
/// B, "Annotate the importance of each word"). An answer with no (word, score) tuple, or a score outside 0–5, is asked again
/// like a failed request.</summary>
public sealed class ChatCompletionsTokenImportance(ChatCompletionsClient client) : ITokenImportanceAnnotator
{
    public string? NotConfiguredReason => client.NotConfiguredReason is { } reason
        ? $"{reason}; the llm_weighted and llm_binary token weights ask it to score the revisions' words"
        : null;

    public async Task<IReadOnlyList<WordScore>> ScoreAsync(string question, string original, string better, CancellationToken cancellationToken)
    {
        try
        {
            var answer = await client.AskAsync(TokenImportance.Prompt(question, original, better),
                a => TokenImportance.Parse(a) is null ? $"the answer '{ChatCompletionsClient.Shorten(a)}' is no list of (word, score 0–5) tuples" : null,
                () => { }, cancellationToken);
            return TokenImportance.Parse(answer)!;
        }
        catch (ChatCompletionFailedException e)
        {
            throw new TokenImportanceFailedException(e.Message, e);
        }
    }
}
