using System.Text.RegularExpressions;
using AlignLab.Testing;
using Microsoft.Playwright;
using Reply = AlignLab.Testing.FakeChatCompletions.Reply;

namespace AlignLab.Browser.Tests;

/// <summary>The per-item view of an evaluation, reached from its leaderboard: a generation item's prompt, the response and
/// the reference with their token diff, and the stub judge's verdicts and reasoning; a multiple-choice item's choices with
/// their scores and the answer marked; each response's sentences as the relevance judge marked them.</summary>
[Collection(BrowserCollection.Name)]
public sealed class EvaluationItemsTests(PostgresFixture postgres, ChromiumFixture chromium) : BrowserTestBase(postgres, chromium)
{
    // The pairwise judge always answers (b); the relevance judge (its prompt is the paper's) marks two sentences, one relevant.
    private readonly FakeChatCompletions _judge = new((prompt, _) => prompt.StartsWith("Please act as an impartial judge", StringComparison.Ordinal)
        ? new Reply(200, "- \"The first sentence.\" : Relevant\n- \"An aside.\" : Irrelevant")
        : new Reply(200, "The second answer states the fact.\nOutput (b)"));

    protected override IReadOnlyDictionary<string, string> ExtraSettings => new Dictionary<string, string>
    {
        ["AlignLab:Revision:Endpoint"] = _judge.BaseAddress,
        ["AlignLab:Revision:MaxAttempts"] = "1",
    };

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _judge.Dispose();
    }

    [Fact]
    public async Task AnItemShowsBothResponsesTheirDiffAndTheJudgesVerdictsAndReasoning()
    {
        using var api = NewApi();
        await api.Http.PostAsync("/api/models/demo", null);
        var evaluation = Guid.Parse((await api.CreateRunAsync(new
        {
            method = "evaluate",
            parameters = new { models = new[] { "demo-gpt2" }, sets = new[] { "demo-eval-generation", "demo-eval-choices" }, judge = "endpoint", relevant_sentences = true, max_new_tokens = 8, resamples = 100 },
        }))["id"]!.GetValue<string>());
        await api.WaitForStatusAsync(evaluation, "Succeeded", TimeSpan.FromSeconds(120));

        var page = await NewPageAsync();
        await GotoAsync(page, $"/runs/{evaluation}/leaderboard");
        await page.Locator("#leaderboard tr[data-model='demo-gpt2'] td[data-set='demo-eval-generation'][data-metric='win_rate'] a.leaderboard-value").ClickAsync();
        await page.WaitForURLAsync(new Regex("/evaluation/items\\?model=demo-gpt2&set=demo-eval-generation$"));
        await Assertions.Expect(page.Locator("#items-count")).ToContainTextAsync("40 items");

        // Always (b): the model loses as (a) and wins as (b), ½ per item; both orders' reasoning is shown.
        var first = page.Locator(".evaluation-item[data-index='0']");
        await Assertions.Expect(first.Locator(".item-judgement")).ToHaveAttributeAsync("data-score", "0.5");
        await Assertions.Expect(first.Locator(".item-judgement")).ToContainTextAsync("model as (a): B, as (b): B");
        await Assertions.Expect(first.Locator(".item-reasoning")).ToHaveCountAsync(2);
        await Assertions.Expect(first.Locator(".item-reasoning").First).ToContainTextAsync("The second answer states the fact.");
        await Assertions.Expect(first.Locator(".item-baseline")).ToContainTextAsync("reference");
        await Assertions.Expect(first.Locator("[data-testid='token-diff']")).ToBeVisibleAsync();
        // Each non-empty response's sentences as the relevance judge marked them.
        var relevance = page.Locator(".item-relevance").First;
        await Assertions.Expect(relevance).ToContainTextAsync("Relevant sentences: 1 of 2");
        await Assertions.Expect(relevance.Locator("[data-relevant='false']")).ToHaveTextAsync("✗ An aside.");
        await page.ScreenshotAsync(new() { Path = Path.Combine(ChromiumFixture.ScreenshotDirectory, "evaluation-items.png"), FullPage = false });

        // A multiple-choice item: its four choices with scores, the answer marked.
        await GotoAsync(page, $"/runs/{evaluation}/evaluation/items?model=demo-gpt2&set=demo-eval-choices");
        var item = page.Locator(".evaluation-item[data-index='0']");
        await Assertions.Expect(item.Locator(".item-choices tbody tr")).ToHaveCountAsync(4);
        await Assertions.Expect(item.Locator(".item-choices tr.item-answer")).ToHaveCountAsync(1);
        await Assertions.Expect(item.Locator(".item-choices tr.item-answer")).ToContainTextAsync("answer");
    }
}
