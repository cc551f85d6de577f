using AlignLab.Core.R3;

namespace AlignLab.Jobs.ChatCompletions;

/// <summary>Classifies queries by asking the chat-completions endpoint the question of “Preference-free Alignment Learning with Regularized Relevance Reward”, four at a time. An answer
/// naming neither type (or both) is asked again like a failed request; a query still unanswered after the attempts
/// gets a verdict with the error.</summary>
public sealed class ChatCompletionsQueryTypeClassifier(ChatCompletionsClient client, string? model = null) : IQueryTypeClassifier
{
    public const int Parallelism = 4;

    public async Task<IReadOnlyList<QueryTypeVerdict>> ClassifyAsync(IReadOnlyList<string> conversations, CancellationToken cancellationToken)
    {
        var verdicts = new QueryTypeVerdict[conversations.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, conversations.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (i, ct) =>
            {
                var attempts = 0;
                try
                {
                    var answer = await client.AskAsync(QueryTypePrompt.Render(conversations[i]),
                        a => QueryTypePrompt.Parse(a) is null ? $"the answer '{ChatCompletionsClient.Shorten(a)}' names neither {QueryTypePrompt.OpenEndedAnswer} nor {QueryTypePrompt.ClosedEndedAnswer}" : null,
                        () => attempts++, ct, string.IsNullOrWhiteSpace(model) ? null : model);
                    verdicts[i] = new QueryTypeVerdict(QueryTypePrompt.Parse(answer), answer.Trim(), null, attempts);
                }
                catch (ChatCompletionFailedException e)
                {
                    verdicts[i] = new QueryTypeVerdict(null, "", e.Message, attempts);
                }
            });
        return verdicts;
    }

    /// <summary>The client is shared (a singleton); nothing to release here.</summary>
    public void Dispose() { }
}
