using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AlignLab.Testing;
using Microsoft.Playwright;

namespace AlignLab.Browser.Tests;

/// <summary>The path README describes for a new user, on the embedded defaults: home page → Start → Next through the
/// wizard → Launch → a finished FIGA run on the demo data whose page shows the token-weight heatmap. The only change
/// from the defaults is fewer steps, to keep the test short.</summary>
[Collection(BrowserCollection.Name)]
public sealed class NewUserPathTests(PostgresFixture postgres, ChromiumFixture chromium) : BrowserTestBase(postgres, chromium)
{
    // As on a fresh machine: the demo model is made at start-up.
    protected override bool CreateDemoModel => true;

    [Fact]
    public async Task FromTheHomePageToAFinishedFigaRunAndItsHeatmap()
    {
        using var api = NewApi();
        var page = await NewPageAsync(width: 1280, height: 800);
        await GotoAsync(page, "/");
        await page.ScreenshotAsync(new() { Path = Path.Combine(ChromiumFixture.ScreenshotDirectory, "home.png"), FullPage = true });
        await page.Locator("#start-figa").ClickAsync();
        await page.WaitForURLAsync(new Regex("/experiments/new\\?method=figa$"));
        await page.Locator("[data-interactive='true']").WaitForAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Radio, new() { Name = "FIGA: fine-grained quality-aware alignment" })).ToBeCheckedAsync();
        await WizardSteps.FillAsync(page, "max_steps", "3");
        await WizardSteps.ReviewAsync(page);
        await Assertions.Expect(page.Locator("#review-spec")).ToContainTextAsync("\"dataset\": \"demo-spa\"");
        await Assertions.Expect(page.Locator("#review-spec")).ToContainTextAsync("\"model\": \"demo-gpt2\"");
        await page.Locator("#launch").ClickAsync();
        await page.WaitForURLAsync(new Regex("/runs/[0-9a-f-]{36}$"));
        await Assertions.Expect(page.Locator("[data-status='Succeeded']")).ToBeVisibleAsync(new() { Timeout = 180_000 });

        // The heatmap shows the weights FIGA wrote for its held-out pairs.
        var runId = page.Url.Split('/')[^1];
        var first = JsonNode.Parse(File.ReadLines(Path.Combine(Artifacts, "runs", runId, "token_weights.jsonl")).First())!;
        var revised = first["revised"]!.AsArray();
        var row = page.Locator("#token-heatmap .heatmap-pair").First.Locator("[data-row='revised Ỹ'] .hm-token");
        await Assertions.Expect(row).ToHaveCountAsync(revised.Count);
        for (int t = 0; t < revised.Count; t++)
            Assert.Equal(revised[t]!["weight"]!.GetValue<double>(), double.Parse((await row.Nth(t).GetAttributeAsync("data-value"))!, CultureInfo.InvariantCulture), 9);
        await page.ScreenshotAsync(new() { Path = Path.Combine(ChromiumFixture.ScreenshotDirectory, "new-user-figa-heatmap.png"), FullPage = true });

        // Its files: the exported model among them, each a download.
        await page.Locator("#run-files").ClickAsync();
        await Assertions.Expect(page.Locator("#exported-model")).ToContainTextAsync($"runs/{runId}/export");
        var weights = page.Locator("#run-artifacts tr[data-path='token_weights.jsonl'] a");
        var download = await api.Http.GetStringAsync((await weights.GetAttributeAsync("href"))!);
        Assert.Equal(File.ReadAllText(Path.Combine(Artifacts, "runs", runId, "token_weights.jsonl")), download);
        await Assertions.Expect(page.Locator("#run-artifacts tr[data-path='export/config.json']")).ToHaveCountAsync(1);

        // Reviewers reach the same heatmap from the heatmaps page, which offers the runs that wrote one.
        await GotoAsync(page, "/heatmaps");
        await Assertions.Expect(page.Locator("[data-testid='heatmap-run']")).ToContainTextAsync(runId.Split('-')[^1][^8..]);
        await Assertions.Expect(page.Locator("#token-heatmap .heatmap-pair").First.Locator("[data-row='revised Ỹ'] .hm-token")).ToHaveCountAsync(revised.Count);
    }
}
