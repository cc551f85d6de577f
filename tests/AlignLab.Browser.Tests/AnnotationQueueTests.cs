using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using AlignLab.Testing;
using Microsoft.Playwright;

namespace AlignLab.Browser.Tests;

/// <summary>An annotator construction in the browser: the run page's reward histograms and threshold preview, then
/// the revision queue with its live token diff, ending in a dataset.</summary>
[Collection(BrowserCollection.Name)]
public sealed class AnnotationQueueTests(PostgresFixture postgres, ChromiumFixture chromium) : BrowserTestBase(postgres, chromium)
{
    [Fact]
    public async Task AnAnnotatorRevisesWithALiveTokenDiffAndTheLastAnswerMakesTheDataset()
    {
        using var api = NewApi();
        await api.Http.PostAsync("/api/models/demo", null);
        TestRewardModels.CreateRandom(Path.Combine(Models, "demo-gpt2"), Path.Combine(Models, "test-rm"));
        var pool = string.Join("\n", new[] { ("What is the capital of Japan?", "The capital of Japan is Tokyo."), ("What color is a lime?", "A ripe lime is green.") }
            .Select(p => new JsonObject { ["instruction"] = p.Item1, ["output"] = p.Item2 }.ToJsonString()));
        var upload = await api.Http.PostAsync("/api/datasets/pool?name=two", new StringContent(pool, Encoding.UTF8, "application/jsonl"));
        var poolId = (await upload.Content.ReadFromJsonAsync<JsonObject>())!["dataset"]!["id"]!.GetValue<string>();
        var run = await api.CreateRunAsync(new
        {
            method = "spa-construction",
            parameters = new { pool = poolId, reward_model = "test-rm", revision = "annotators", eta1 = 1e6, eta2 = -1e6, eta3 = -1e6, max_new_tokens = 6 },
        });
        var runId = Guid.Parse(run["id"]!.GetValue<string>());
        await api.WaitForStatusAsync(runId, "Succeeded", TimeSpan.FromSeconds(120));

        var page = await NewPageAsync();
        await GotoAsync(page, $"/runs/{runId}");
        await Assertions.Expect(page.Locator("#construction-panel [data-status='awaiting_annotation']")).ToContainTextAsync("2");
        await Assertions.Expect(page.Locator("[data-testid='reward-histogram'][data-name='rollout'] rect")).Not.ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#preview-kept")).ToContainTextAsync("keep 2 of 2");
        // A threshold below every reward previews that nothing would be kept.
        await page.Locator("#eta1").FillAsync("-1000");
        await Assertions.Expect(page.Locator("#preview-kept")).ToContainTextAsync("keep 0 of 2");
        await page.ScreenshotAsync(new() { Path = Path.Combine(ChromiumFixture.ScreenshotDirectory, "construction-run.png"), FullPage = true });

        await page.Locator("#annotate").ClickAsync();
        await Assertions.Expect(page.Locator("#waiting-count")).ToContainTextAsync("2 waiting");
        var initial = await page.Locator("#initial").InnerTextAsync();
        await Assertions.Expect(page.Locator("[data-testid='token-diff']")).ToHaveAttributeAsync("data-distance", "0");
        // Who answers is the signed-in account, not a name typed in.
        var me = (await api.Http.GetFromJsonAsync<JsonObject>("/api/me"))!["name"]!.GetValue<string>();
        await Assertions.Expect(page.Locator("#annotator-name")).ToContainTextAsync(me);
        await page.Locator("#revision-input").FillAsync(initial.TrimEnd() + " Tokyo");
        await Assertions.Expect(page.Locator("[data-testid='token-diff']")).Not.ToHaveAttributeAsync("data-distance", "0");
        // Added on its own, or partly as the new side of a substitution when the tokenizer merges it with the last token.
        var added = await page.Locator("[data-testid='token-diff'] ins").AllInnerTextsAsync();
        Assert.Contains("Tokyo", string.Concat(added));
        await page.ScreenshotAsync(new() { Path = Path.Combine(ChromiumFixture.ScreenshotDirectory, "annotate.png"), FullPage = true });
        // Without the mouse: Ctrl+Enter submits, and the next instance's box has the focus for Ctrl+Shift+Enter to skip it.
        await page.Locator("#revision-input").PressAsync("Control+Enter");
        await Assertions.Expect(page.Locator("#waiting-count")).ToContainTextAsync("1 waiting");
        await Assertions.Expect(page.Locator("#revision-input")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Control+Shift+Enter");
        await Assertions.Expect(page.Locator("#queue-empty")).ToContainTextAsync("was made from the revisions");

        var summary = await api.Http.GetFromJsonAsync<JsonObject>($"/api/constructions/{runId}");
        var examples = await api.Http.GetFromJsonAsync<JsonArray>($"/api/datasets/{summary!["datasetId"]!.GetValue<string>()}/examples");
        var example = Assert.Single(examples!);
        Assert.EndsWith("Tokyo", example!["revised_output"]!.GetValue<string>());
        Assert.Equal(initial.Trim(), example["original_output"]!.GetValue<string>().Trim());
        // Who did what: the revision and the skip are stored with the signed-in annotator's name.
        var answered = await api.Http.GetFromJsonAsync<JsonArray>($"/api/constructions/{runId}/items?limit=10");
        Assert.All(answered!.Where(i => i!["status"]!.GetValue<string>() is "revised" or "skipped"), i => Assert.Equal(me, i!["revisedBy"]!.GetValue<string>()));
        Assert.Equal(2, answered!.Count(i => i!["status"]!.GetValue<string>() is "revised" or "skipped"));
    }
}
