using System.Text.RegularExpressions;
using AlignLab.Testing;
using Microsoft.Playwright;

namespace AlignLab.Browser.Tests;

/// <summary>Query-type classification from the wizard with the local demo model: the run page shows the counts, the
/// agreement with demo-r3's labels as a confusion matrix, and the labelled dataset it wrote.</summary>
[Collection(BrowserCollection.Name)]
public sealed class QueryTypesWizardTests(PostgresFixture postgres, ChromiumFixture chromium) : BrowserTestBase(postgres, chromium)
{
    [Fact]
    public async Task AClassificationLaunchedFromTheWizardShowsCountsAgreementAndTheLabelledDataset()
    {
        using var api = NewApi();
        await api.Http.PostAsync("/api/models/demo", null);
        var page = await NewPageAsync();
        await GotoAsync(page, "/experiments/new");
        await page.GetByRole(AriaRole.Radio, new() { Name = "Query types (R³): open- or closed-ended" }).CheckAsync();
        await WizardSteps.FillAsync(page, "max_instances", "10");
        await WizardSteps.ReviewAsync(page);
        await Assertions.Expect(page.Locator("#review-spec")).ToContainTextAsync("\"method\": \"query-types\"");
        await page.Locator("#launch").ClickAsync();
        await page.WaitForURLAsync(new Regex("/runs/[0-9a-f-]{36}$"));
        await Assertions.Expect(page.Locator("[data-status='Succeeded']")).ToBeVisibleAsync(new() { Timeout = 120_000 });

        var panel = page.Locator("#query-types");
        await Assertions.Expect(panel).ToBeVisibleAsync();
        var open = int.Parse(await panel.Locator("[data-field='open-ended']").InnerTextAsync());
        var closed = int.Parse(await panel.Locator("[data-field='closed-ended']").InnerTextAsync());
        Assert.Equal(10, open + closed);
        // demo-r3 alternates closed- and open-ended labels: five of each row of the confusion matrix.
        var rows = page.Locator("#query-type-confusion tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(2);
        foreach (var label in new[] { "OE", "CE" })
        {
            var cells = page.Locator($"#query-type-confusion tr[data-label='{label}'] td");
            Assert.Equal(5, int.Parse(await cells.Nth(1).InnerTextAsync()) + int.Parse(await cells.Nth(2).InnerTextAsync()));
        }
        var datasetId = await panel.Locator("[data-field='dataset']").InnerTextAsync();
        var dataset = await api.Http.GetStringAsync($"/api/datasets/{datasetId}");
        Assert.Contains("query types from run", dataset);
        await page.ScreenshotAsync(new() { Path = Path.Combine(ChromiumFixture.ScreenshotDirectory, "query-types-run.png"), FullPage = true });
    }
}
