using AlignLab.Jobs.ChatCompletions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AlignLab.Jobs.Tests;

/// <summary>A chat-completions client of a test's endpoint, with short backoffs.</summary>
public static class TestChatClients
{
    public static ChatCompletionsClient For(string? endpoint, string model, int maxAttempts, string? apiKey = null, int backoffMs = 5) =>
        new(Options.Create(new ChatCompletionsOptions
        {
            Endpoint = endpoint ?? "", ApiKey = apiKey ?? "", Model = model, MaxAttempts = maxAttempts, InitialBackoffMs = backoffMs,
        }), NullLogger<ChatCompletionsClient>.Instance);
}
