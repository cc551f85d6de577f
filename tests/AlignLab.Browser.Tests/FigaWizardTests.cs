using System.Text;
using System.Text.RegularExpressions;
using AlignLab.Testing;
using Microsoft.Playwright;

namespace AlignLab.Browser.Tests;

[Collection(BrowserCollection.Name)]
public sealed class FigaWizardTests(PostgresFixture postgres, ChromiumFixture chromium) : BrowserTestBase(postgres, chromium)
{
    [Fact]
    public async Task AFigaRunOnAnImportedSpaFileIsLaunchedFromTheWizardAndCompletes()
    {
        using var api = NewApi();
        await api.Http.PostAsync("/api/models/demo", null);
        var record = """{"instruction":"What is the capital of Peru?","input":"","output":"The capital of Peru is Lima.","original_output":"The capital of Peru is Oslo.","revised_output":"The capital of Peru is Lima."}""";
        var upload = await api.Http.PostAsync("/api/datasets/spa?name=capitals", new StringContent(string.Join('\n', Enumerable.Repeat(record, 30)), Encoding.UTF8, "application/x-ndjson"));
        upload.EnsureSuccessStatusCode();

        var page = await NewPageAsync();
        await GotoAsync(page, "/experiments/new");
        await page.GetByRole(AriaRole.Radio, new() { Name = "FIGA: fine-grained quality-aware alignment" }).CheckAsync();
        await WizardSteps.ReachAsync(page, "[data-parameter='dataset']");
        await page.Locator("[data-parameter='dataset'] .mud-select").First.ClickAsync();
        await page.GetByText("capitals (30 examples)").ClickAsync();
        foreach (var (name, value) in new[] { ("max_steps", "3"), ("batch_size", "4"), ("grad_accum", "1"), ("eval_fraction", "0.1") })
            await WizardSteps.FillAsync(page, name, value);
        // Table 5 ran its bag-of-words variant with β = 0: choosing it moves beta there, marked as changed from the preset.
        await page.Locator("[data-parameter='good_labels'] .mud-select").First.ClickAsync();
        await page.Locator(".mud-popover-open").GetByText(new Regex("^bag_of_words( |$)")).First.ClickAsync();
        await Assertions.Expect(page.Locator(".changed-from-preset[data-parameter='beta']")).ToContainTextAsync("changed from paper: 0.5");
        await Assertions.Expect(page.Locator("#param-beta")).ToHaveValueAsync("0");
        await page.ScreenshotAsync(new() { Path = Path.Combine(ChromiumFixture.ScreenshotDirectory, "figa-wizard.png"), FullPage = true });
        await WizardSteps.ReviewAsync(page);
        await Assertions.Expect(page.Locator("#review-spec")).ToContainTextAsync("\"method\": \"figa\"");
        await Assertions.Expect(page.Locator("#review-spec")).ToContainTextAsync("\"beta\": 0");
        // The review shows the memory the run is estimated to need, the figure submission records with the run.
        await Assertions.Expect(page.Locator("#review-memory")).ToContainTextAsync(new System.Text.RegularExpressions.Regex(@"Estimated memory: \d+(\.\d)? (KiB|MiB|GiB) \(full fp32: weights"));
        await page.Locator("#launch").ClickAsync();

        await page.WaitForURLAsync(new Regex("/runs/[0-9a-f-]{36}$"));
        await Assertions.Expect(page.Locator("[data-status='Succeeded']")).ToBeVisibleAsync(new() { Timeout = 120_000 });
        await Assertions.Expect(page.Locator("polyline[data-series='loss']")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("polyline[data-series='good_token_loss']")).ToHaveCountAsync(0);
        await page.Locator("[data-metric='good_token_loss']").ClickAsync();      // choose another metric to plot
        await Assertions.Expect(page.Locator("polyline[data-series='good_token_loss']")).ToHaveCountAsync(1);
        await page.ScreenshotAsync(new() { Path = Path.Combine(ChromiumFixture.ScreenshotDirectory, "figa-run.png"), FullPage = true });
        var runId = page.Url.Split('/')[^1];
        Assert.Equal(3, File.ReadAllLines(Path.Combine(Artifacts, "runs", runId, "token_weights.jsonl")).Length);
    }
}
