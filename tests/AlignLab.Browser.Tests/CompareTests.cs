using System.Text.RegularExpressions;
using AlignLab.Core.Runs;
using AlignLab.Testing;
using Microsoft.Playwright;

namespace AlignLab.Browser.Tests;

/// <summary>Comparing runs: two runs picked on the runs page open a comparison whose chart overlays their curves and
/// whose table holds their final metrics, with CSV export; the chart's log scale and smoothing on the way.</summary>
[Collection(BrowserCollection.Name)]
public sealed class CompareTests(PostgresFixture postgres, ChromiumFixture chromium) : BrowserTestBase(postgres, chromium)
{
    [Fact]
    public async Task TwoRunsPickedOnTheRunsPageAreOverlaidAndTabulated()
    {
        using var api = NewApi();
        var ids = new List<Guid>();
        foreach (var (name, loss) in new[] { ("slow-decay", 2.0), ("fast-decay", 8.0) })
        {
            var run = await api.CreateRunAsync(new { method = "smoke", name, parameters = new { steps = 8, delay_ms = 0, initial_loss = loss, decay = 0.3 } });
            ids.Add(Guid.Parse(run["id"]!.GetValue<string>()));
        }
        foreach (var id in ids) await api.WaitForStatusAsync(id, "Succeeded", TimeSpan.FromSeconds(60));

        var page = await NewPageAsync();
        await GotoAsync(page, "/runs");
        await Assertions.Expect(page.Locator("#compare-selected")).ToBeDisabledAsync();
        foreach (var name in new[] { "slow-decay", "fast-decay" })
            await page.Locator("tr", new() { HasText = name }).Locator("input[type=checkbox]").CheckAsync();
        await Assertions.Expect(page.Locator("#compare-selected")).ToContainTextAsync("Compare (2)");
        await page.Locator("#compare-selected").ClickAsync();
        await page.WaitForURLAsync(new Regex("/compare\\?runs="));
        await page.Locator("[data-interactive='true']").WaitForAsync();

        // One loss curve per run, eight points each; a final-metrics column per run.
        foreach (var id in ids)
        {
            await Assertions.Expect(page.Locator($"polyline[data-series$='({id.Short()}) · loss']")).ToHaveAttributeAsync("data-count", "8");
            await Assertions.Expect(page.Locator($"#compare-final th[data-run='{id}']")).ToBeVisibleAsync();
        }
        // loss at step 8: 2·e^−2.4 and 8·e^−2.4.
        var row = page.Locator("#compare-final tr[data-metric='loss'] td");
        await Assertions.Expect(row.Nth(1)).ToContainTextAsync((2 * Math.Exp(-2.4)).ToString("G5") + " @ 8");
        await Assertions.Expect(row.Nth(2)).ToContainTextAsync((8 * Math.Exp(-2.4)).ToString("G5") + " @ 8");
        var csvLink = await page.Locator("#export-final-csv").GetAttributeAsync("href");
        var csv = await api.Http.GetStringAsync(csvLink!);
        Assert.All(ids, id => Assert.Contains($"{id},", csv));
        await page.ScreenshotAsync(new() { Path = Path.Combine(ChromiumFixture.ScreenshotDirectory, "compare.png"), FullPage = true });

        // On a run's page, the log scale labels the axis.
        await GotoAsync(page, $"/runs/{ids[0]}");
        await Assertions.Expect(page.Locator("[data-testid='log-scale']")).ToHaveCountAsync(0);
        await page.GetByLabel("Log scale").CheckAsync();
        await Assertions.Expect(page.Locator("[data-testid='log-scale']")).ToHaveCountAsync(1);
    }
}
