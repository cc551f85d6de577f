using AlignLab.Core.R3;
using AlignLab.Jobs.ChatCompletions;
using AlignLab.Testing;
using Reply = AlignLab.Testing.FakeChatCompletions.Reply;

namespace AlignLab.Jobs.Tests;

/// <summary>Query-type classification through a chat-completions endpoint served by the test: “Preference-free Alignment Learning with Regularized Relevance Reward”'s prompt per
/// query, answers read leniently, off-format answers asked again, and a query that never gets a usable answer left
/// with its error instead of failing the others.</summary>
public sealed class ChatCompletionsQueryTypeClassifierTests : IDisposable
{
    private readonly FakeChatCompletions _server = new((_, _) => new Reply(500, "not set"));

    private ChatCompletionsQueryTypeEndpoint Endpoint(int maxAttempts = 2) =>
        new(TestChatClients.For(_server.BaseAddress, "configured-model", maxAttempts));

    [Fact]
    public async Task AsksThePapersQuestionPerQueryAndReadsTheAnswers()
    {
        _server.Respond = (prompt, _) => new Reply(200, prompt.Contains("capital") ? "CLOSED-ENDED" : "Answer: open-ended.");
        string[] conversations = [QueryTypePrompt.Conversation("What is the capital of Peru?", ""), QueryTypePrompt.Conversation("Write a poem", "about rain")];
        using var classifier = Endpoint().Classifier("gpt-4");
        var verdicts = await classifier.ClassifyAsync(conversations, CancellationToken.None);

        Assert.Equal([QueryType.ClosedEnded, QueryType.OpenEnded], verdicts.Select(v => v.Type));
        Assert.Equal(["CLOSED-ENDED", "Answer: open-ended."], verdicts.Select(v => v.Answer));
        var requests = _server.Requests.ToList();
        Assert.Equal(2, requests.Count);
        Assert.All(requests, r => Assert.Equal("gpt-4", r.Model));
        Assert.Contains(QueryTypePrompt.Render("USER: Write a poem\nabout rain"), requests.Select(r => r.Prompt));
        Assert.Contains("Please just answer it either \"OPEN-ENDED\" or \"CLOSED-ENDED\".", requests[0].Prompt);
    }

    [Fact]
    public async Task AnOffFormatAnswerIsAskedAgainAndAnUnansweredQueryKeepsItsError()
    {
        // "maybe" is answered off-format once, then properly; the drizzle query only ever gets a 503.
        _server.Respond = (prompt, seen) =>
            prompt.Contains("drizzle") ? new Reply(503, "overloaded")
            : seen == 0 ? new Reply(200, "It depends.")
            : new Reply(200, "OPEN-ENDED");
        using var classifier = Endpoint(maxAttempts: 3).Classifier("");
        var verdicts = await classifier.ClassifyAsync(["USER: maybe?", "USER: drizzle"], CancellationToken.None);

        Assert.Equal((QueryType.OpenEnded, 2, (string?)null), (verdicts[0].Type!.Value, verdicts[0].Attempts, verdicts[0].Error));
        Assert.Null(verdicts[1].Type);
        Assert.Equal(3, verdicts[1].Attempts);
        Assert.Contains("503", verdicts[1].Error);
        Assert.Contains("gave up after 3 attempts", verdicts[1].Error);
        Assert.All(_server.Requests, r => Assert.Equal("configured-model", r.Model));
    }

    [Fact]
    public void WithoutAnEndpointItSaysWhichSettingIsMissing()
    {
        var none = new ChatCompletionsQueryTypeEndpoint(TestChatClients.For(endpoint: null, "any", maxAttempts: 1));
        Assert.Contains("AlignLab:Revision:Endpoint", none.NotConfiguredReason);
        Assert.Null(Endpoint().NotConfiguredReason);
    }

    public void Dispose() => _server.Dispose();
}
