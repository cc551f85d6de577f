using AlignLab.Core.Construction;

namespace AlignLab.Jobs.ChatCompletions;

/// <summary>Revises an initial response through the chat-completions endpoint with the paper's two steps: ask for the
/// reason (A–D), then send that reason's minimal-edit prompt. An answer naming no reason, or an empty revision, is
/// asked again like a failed request.</summary>
public sealed class ChatCompletionsReviser(ChatCompletionsClient client) : IResponseReviser
{
    public string? NotConfiguredReason => client.NotConfiguredReason is { } reason ? $"{reason}; use revision=annotators or configure one" : null;

    public async Task<Core.Construction.Revision> ReviseAsync(string question, string initial, string reference, CancellationToken cancellationToken)
    {
        var attempts = 0;
        try
        {
            var reasonAnswer = await client.AskAsync(RevisionPrompts.Classify(question, initial, reference),
                answer => RevisionReasons.Parse(answer) is null ? $"the reason answer '{ChatCompletionsClient.Shorten(answer)}' names none of A, B, C, D" : null,
                () => attempts++, cancellationToken);
            var reason = RevisionReasons.Parse(reasonAnswer)!.Value;
            var text = (await client.AskAsync(RevisionPrompts.Revise(reason, question, initial, reference),
                answer => answer.Trim().Length == 0 ? "the revision answer is empty" : null, () => attempts++, cancellationToken)).Trim();
            return new Core.Construction.Revision(reason, text, attempts);
        }
        catch (ChatCompletionFailedException e)
        {
            // Requests made for both steps together.
            throw new RevisionFailedException(e.Message, attempts, e);
        }
    }
}
