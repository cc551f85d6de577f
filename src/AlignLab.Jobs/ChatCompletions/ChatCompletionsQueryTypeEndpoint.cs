using AlignLab.Core.R3;

namespace AlignLab.Jobs.ChatCompletions;

/// <summary>Query-type classification through the chat-completions endpoint configured for revision.</summary>
public sealed class ChatCompletionsQueryTypeEndpoint(ChatCompletionsClient client) : IQueryTypeEndpoint
{
    public string? NotConfiguredReason => client.NotConfiguredReason;

    public IQueryTypeClassifier Classifier(string model) => new ChatCompletionsQueryTypeClassifier(client, model);
}
