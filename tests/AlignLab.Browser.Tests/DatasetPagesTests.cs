using System.Text;
using System.Text.Json.Nodes;
using AlignLab.Testing;
using Microsoft.Playwright;

namespace AlignLab.Browser.Tests;

/// <summary>The dataset pages: an uploaded minimal-edit dataset is listed, and its page shows its statistics and each
/// pair as an inline token diff with the right tokens substituted, struck and added.</summary>
[Collection(BrowserCollection.Name)]
public sealed class DatasetPagesTests(PostgresFixture postgres, ChromiumFixture chromium) : BrowserTestBase(postgres, chromium)
{
    [Fact]
    public async Task ADatasetPageShowsEachPairAsAnInlineDiff()
    {
        using var api = NewApi();
        await api.Http.PostAsync("/api/models/demo", null);
        var lines = new[]
        {
            new JsonObject { ["prompt"] = "What is the capital of Japan?", ["original"] = "The capital of Japan is Rome.", ["edited"] = "The capital of Japan is Tokyo." },
            new JsonObject { ["prompt"] = "What is the capital of Italy?", ["original"] = "The capital of Italy is Rome and Paris.", ["edited"] = "The capital of Italy is Rome." },
            new JsonObject { ["prompt"] = "What is the capital of Peru?", ["original"] = "It is Lima.", ["edited"] = "It is Lima, in Peru.", ["query_type"] = "CE" },
        };
        var upload = await api.Http.PostAsync("/api/datasets/edits?name=capitals", new StringContent(string.Join('\n', lines.Select(l => l.ToJsonString())), Encoding.UTF8, "application/x-ndjson"));
        upload.EnsureSuccessStatusCode();
        var id = JsonNode.Parse(await upload.Content.ReadAsStringAsync())!["dataset"]!["id"]!.GetValue<string>();
        TestRewardModels.CreateRandom(Path.Combine(Models, "demo-gpt2"), Path.Combine(Models, "test-rm"));

        var page = await NewPageAsync();
        await GotoAsync(page, "/datasets");
        await page.Locator($"[data-dataset='{id}']").ClickAsync();
        await page.WaitForURLAsync($"{Base}/datasets/{id}");
        await Assertions.Expect(page.Locator("#example-count")).ToHaveTextAsync("3");
        await Assertions.Expect(page.Locator("#dataset-stats [data-stat='stats.count'] td").Nth(1)).ToHaveTextAsync("3");

        // Rome → Tokyo is one substitution; " and Paris" is deleted; ", in Peru" is added.
        var first = page.Locator(".dataset-example[data-index='0'] [data-testid='token-diff']");
        await Assertions.Expect(first.Locator(".diff-sub del")).ToHaveTextAsync(" Rome");
        await Assertions.Expect(first.Locator(".diff-sub ins")).ToHaveTextAsync(" Tokyo");
        await Assertions.Expect(first).ToHaveAttributeAsync("data-distance", "1");
        var second = page.Locator(".dataset-example[data-index='1'] [data-testid='token-diff']");
        await Assertions.Expect(second.Locator("del.diff-del")).ToHaveTextAsync(" and Paris");
        await Assertions.Expect(second.Locator("ins")).ToHaveCountAsync(0);
        var third = page.Locator(".dataset-example[data-index='2']");
        await Assertions.Expect(third.Locator("ins.diff-ins")).ToContainTextAsync("Peru");
        await Assertions.Expect(third).ToContainTextAsync("CE");
        // Deleted tokens are struck through.
        Assert.Contains("line-through", await second.Locator("del.diff-del").EvaluateAsync<string>("e => getComputedStyle(e).textDecorationLine"));
        await Assertions.Expect(page.Locator(".dataset-example[data-index='0'] [data-testid='edit-counts']")).ToContainTextAsync("1 edit");

        // Scored by a reward model: one histogram per response column (original, edited), three examples each.
        await page.Locator("#score-dataset").ClickAsync();
        foreach (var column in new[] { "original", "edited" })
        {
            var bars = page.Locator($"#dataset-rewards [data-column='{column}'] rect");
            await Assertions.Expect(bars.First).ToBeVisibleAsync();
            Assert.Equal(3, (await bars.EvaluateAllAsync<int[]>("bars => bars.map(b => +b.dataset.count)")).Sum());
        }
        await page.ScreenshotAsync(new() { Path = Path.Combine(ChromiumFixture.ScreenshotDirectory, "dataset-diffs.png"), FullPage = true });
    }

    [Fact]
    public async Task AFileUploadedOnTheDatasetsPageIsListed()
    {
        using var api = NewApi();
        await api.Http.PostAsync("/api/models/demo", null);
        var page = await NewPageAsync();
        await GotoAsync(page, "/datasets");
        await page.Locator("[data-testid='dataset-upload'] .mud-select").First.ClickAsync();
        await page.Locator(".mud-popover-open").GetByText("preference", new() { Exact = false }).First.ClickAsync();
        var line = new JsonObject { ["prompt"] = "Capital of Japan?", ["chosen"] = "Tokyo.", ["rejected"] = "Rome." }.ToJsonString();
        await UploadPanel.ChooseFileAsync(page, new FilePayload { Name = "prefs.jsonl", MimeType = "application/json", Buffer = Encoding.UTF8.GetBytes(line) });
        await page.Locator("#upload-dataset").ClickAsync();
        await Assertions.Expect(page.Locator("#upload-stored")).ToContainTextAsync("1 examples");
        await Assertions.Expect(page.Locator("#dataset-table tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#dataset-table tbody tr")).ToContainTextAsync("preference");
        await Assertions.Expect(page.Locator("#dataset-table tbody tr")).ToContainTextAsync("prefs");

        // The built-in datasets are listed too, each with the methods that offer it, and open to their first examples.
        foreach (var builtIn in AlignLab.Core.Demo.BuiltInDatasets.All)
            await Assertions.Expect(page.Locator($"[data-built-in='{builtIn.Name}']")).ToContainTextAsync(string.Join(", ", builtIn.UsedBy));
        await page.Locator("[data-built-in='demo-spa'] .mud-expand-panel-header").ClickAsync();
        var rows = page.Locator("[data-built-in='demo-spa'] .built-in-examples tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(10);
        var first = AlignLab.Core.Demo.BuiltInDatasets.DemoSpa.Records()[0];
        await Assertions.Expect(rows.First).ToContainTextAsync(first.OriginalOutput);
        await Assertions.Expect(rows.First).ToContainTextAsync(first.RevisedOutput);
    }
}
