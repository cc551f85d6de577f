using System.Diagnostics;
using AlignLab.Core.Construction;
using AlignLab.Jobs.ChatCompletions;
using AlignLab.Testing;
using Reply = AlignLab.Testing.FakeChatCompletions.Reply;

namespace AlignLab.Jobs.Tests;

public sealed class ChatCompletionsReviserTests : IDisposable
{
    private const string Question = "What is the capital of Peru?", Initial = "The capital of Peru is Quito.", Reference = "The capital of Peru is Lima.";
    private readonly FakeChatCompletions _server = new((_, _) => new Reply(500, "not set"));

    private ChatCompletionsReviser Reviser(int maxAttempts = 3, string? endpoint = null) =>
        new(TestChatClients.For(endpoint ?? _server.BaseAddress, "reviser-1", maxAttempts, apiKey: "secret-key", backoffMs: 10));

    [Fact]
    public async Task ClassifiesTheReasonThenSendsThatReasonsMinimalEditPrompt()
    {
        _server.Respond = (prompt, _) => FakeChatCompletions.IsClassification(prompt) ? new Reply(200, "A.") : new Reply(200, "  The capital of Peru is Lima.\n");
        var revision = await Reviser().ReviseAsync(Question, Initial, Reference, CancellationToken.None);

        Assert.Equal(RevisionReason.A, revision.Reason);
        Assert.Equal("The capital of Peru is Lima.", revision.Text);
        Assert.Equal(2, revision.Attempts);
        var requests = _server.Requests.ToList();
        Assert.Equal(2, requests.Count);
        Assert.All(requests, r => Assert.Equal(("/v1/chat/completions", "Bearer secret-key", "reviser-1"), (r.Path, r.Authorization, r.Model)));
        Assert.Equal(RevisionPrompts.Classify(Question, Initial, Reference), requests[0].Prompt);
        Assert.Equal(RevisionPrompts.Revise(RevisionReason.A, Question, Initial, Reference), requests[1].Prompt);
        Assert.Contains("replace the content corresponding to Response 1 with the accurate", requests[1].Prompt);
    }

    [Fact]
    public async Task RetriesServerErrorsAndHonoursRetryAfter()
    {
        _server.Respond = (prompt, seen) => seen == 0 ? new Reply(503, "overloaded", RetryAfterSeconds: 1)
            : FakeChatCompletions.IsClassification(prompt) ? new Reply(200, "B") : new Reply(200, "revised");
        var clock = Stopwatch.StartNew();
        var revision = await Reviser().ReviseAsync(Question, Initial, Reference, CancellationToken.None);

        Assert.Equal((RevisionReason.B, "revised", 4), (revision.Reason, revision.Text, revision.Attempts));
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1.9), $"two Retry-After waits of 1 s, took {clock.Elapsed}");
    }

    [Fact]
    public async Task GivesUpOnAnAnswerThatNamesNoReason()
    {
        _server.Respond = (_, _) => new Reply(200, "Response 1 is worse because it is wrong.");
        var failure = await Assert.ThrowsAsync<RevisionFailedException>(() => Reviser(maxAttempts: 3).ReviseAsync(Question, Initial, Reference, CancellationToken.None));
        Assert.Equal(3, failure.Attempts);
        Assert.Contains("names none of A, B, C, D", failure.Message);
        Assert.Equal(3, _server.Requests.Count);
    }

    [Fact]
    public async Task AClientErrorFailsAtOnce()
    {
        _server.Respond = (_, _) => new Reply(401, "invalid api key");
        var failure = await Assert.ThrowsAsync<RevisionFailedException>(() => Reviser().ReviseAsync(Question, Initial, Reference, CancellationToken.None));
        Assert.Equal(1, failure.Attempts);
        Assert.Contains("401", failure.Message);
        Assert.Contains("invalid api key", failure.Message);
    }

    [Fact]
    public void SaysWhatIsMissingWhenNotConfigured()
    {
        Assert.Null(Reviser().NotConfiguredReason);
        Assert.Contains("AlignLab:Revision:Endpoint", Reviser(endpoint: "").NotConfiguredReason);
        Assert.Contains("not an http(s) URL", Reviser(endpoint: "ftp://example").NotConfiguredReason);
    }

    public void Dispose() => _server.Dispose();
}
