using AlignLab.Core.Evaluation;

namespace AlignLab.Jobs.ChatCompletions;

/// <summary>The relevant-sentence judge of an evaluation through the chat-completions endpoint: the rendered prompt,
/// answered with one line per sentence marking it Relevant or Irrelevant. An answer that marks no sentence is asked again
/// like a failed request.</summary>
public sealed class ChatCompletionsRelevanceJudge(ChatCompletionsClient client) : IRelevanceJudge
{
    public string? NotConfiguredReason => client.NotConfiguredReason is { } reason ? $"{reason}; %Rel asks it to judge each sentence" : null;

    public async Task<IReadOnlyList<SentenceVerdict>> JudgeAsync(string prompt, CancellationToken cancellationToken)
    {
        try
        {
            var answer = await client.AskAsync(prompt,
                a => RelevantSentences.Parse(a).Count == 0 ? $"the answer '{ChatCompletionsClient.Shorten(a)}' marks no sentence Relevant or Irrelevant" : null,
                () => { }, cancellationToken);
            return RelevantSentences.Parse(answer);
        }
        catch (ChatCompletionFailedException e)
        {
            throw new JudgeFailedException(e.Message, e);
        }
    }
}
