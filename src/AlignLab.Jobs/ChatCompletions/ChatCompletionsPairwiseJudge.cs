using AlignLab.Core.Evaluation;

namespace AlignLab.Jobs.ChatCompletions;

/// <summary>An evaluation's pairwise judge through the chat-completions endpoint: the rendered prompt, answered with
/// reasoning and a last line naming Output (a), Output (b) or Tie. An answer that names none is asked again like a failed
/// request.</summary>
public sealed class ChatCompletionsPairwiseJudge(ChatCompletionsClient client) : IPairwiseJudge
{
    public string? NotConfiguredReason => client.NotConfiguredReason is { } reason ? $"{reason}; the endpoint judge asks it to compare responses" : null;

    public async Task<JudgeAnswer> JudgeAsync(string prompt, CancellationToken cancellationToken)
    {
        try
        {
            var answer = await client.AskAsync(prompt,
                a => PairwiseJudgePrompt.Parse(a) is null ? $"the answer '{ChatCompletionsClient.Shorten(a)}' ends on no line naming Output (a), Output (b) or Tie" : null,
                () => { }, cancellationToken);
            return PairwiseJudgePrompt.Parse(answer)!;
        }
        catch (ChatCompletionFailedException e)
        {
            throw new JudgeFailedException(e.Message, e);
        }
    }
}
