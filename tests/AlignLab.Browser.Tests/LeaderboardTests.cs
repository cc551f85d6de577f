using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AlignLab.Testing;
using Microsoft.Playwright;

namespace AlignLab.Browser.Tests;

/// <summary>An evaluation's leaderboard: two models (the demo model and a short SFT run's export) on the demo's
/// multiple-choice set, a baseline chosen, the table sorted, and the CSV downloaded.</summary>
[Collection(BrowserCollection.Name)]
public sealed class LeaderboardTests(PostgresFixture postgres, ChromiumFixture chromium) : BrowserTestBase(postgres, chromium)
{
    [Fact]
    public async Task TwoModelsWithABaselineChosenAreSortedAndDownloadedAsCsv()
    {
        using var api = NewApi();
        var sft = await TunedDemoModelAsync(api, 30);
        var tuned = $"runs/{sft}/export";
        var evaluation = Guid.Parse((await api.CreateRunAsync(new
        {
            method = "evaluate",
            parameters = new { models = new[] { "demo-gpt2", tuned }, sets = new[] { "demo-eval-choices" }, resamples = 100 },
        }))["id"]!.GetValue<string>());
        await api.WaitForStatusAsync(evaluation, "Succeeded", TimeSpan.FromSeconds(120));
        var results = JsonNode.Parse(await api.Http.GetStringAsync($"/api/runs/{evaluation}/evaluation"))!["results"]!.AsArray();
        double Value(string model, string metric) => results.Single(r => r!["model"]!.GetValue<string>() == model && r["metric"]!.GetValue<string>() == metric)!["value"]!.GetValue<double>();

        var page = await NewPageAsync();
        await GotoAsync(page, $"/runs/{evaluation}");
        await page.Locator("#leaderboard-link").ClickAsync();
        await page.WaitForURLAsync(new Regex($"/runs/{evaluation}/leaderboard$"));
        await page.Locator("[data-interactive='true']").WaitForAsync();
        await Assertions.Expect(page.Locator("#leaderboard tbody tr")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator($"#leaderboard tr[data-model='{tuned}'] .leaderboard-run")).ToHaveTextAsync("sft");
        await Assertions.Expect(page.Locator($"#leaderboard tr[data-model='{tuned}'] td[data-metric='acc'] .leaderboard-value"))
            .ToHaveTextAsync(Value(tuned, "acc").ToString("0.000", CultureInfo.InvariantCulture));

        // The demo model as the baseline: the export's cells show their difference to it.
        await page.Locator("#leaderboard-baseline .mud-select").First.ClickAsync();
        await page.Locator(".mud-popover-open").GetByText("demo-gpt2", new() { Exact = true }).ClickAsync();
        var delta = Value(tuned, "acc_norm") - Value("demo-gpt2", "acc_norm");
        await Assertions.Expect(page.Locator($"#leaderboard tr[data-model='{tuned}'] td[data-metric='acc_norm'] .leaderboard-delta"))
            .ToHaveTextAsync($"{(delta >= 0 ? "+" : "")}{delta.ToString("0.000", CultureInfo.InvariantCulture)}");
        await Assertions.Expect(page.Locator("tr[data-model='demo-gpt2'] .leaderboard-delta")).ToHaveCountAsync(0);

        // Sorted by acc, highest first, then lowest first.
        string[] ByAcc(bool descending) => [.. new[] { "demo-gpt2", tuned }.OrderBy(m => descending ? -Value(m, "acc") : Value(m, "acc"))];
        var sort = page.Locator(".leaderboard-sort[data-metric='acc']");
        await sort.ClickAsync();
        if (Value("demo-gpt2", "acc") != Value(tuned, "acc"))
            await Assertions.Expect(page.Locator("#leaderboard tbody tr").First).ToHaveAttributeAsync("data-model", ByAcc(true)[0]);
        await Assertions.Expect(sort).ToContainTextAsync("▼");
        await sort.ClickAsync();
        await Assertions.Expect(sort).ToContainTextAsync("▲");
        if (Value("demo-gpt2", "acc") != Value(tuned, "acc"))
            await Assertions.Expect(page.Locator("#leaderboard tbody tr").First).ToHaveAttributeAsync("data-model", ByAcc(false)[0]);

        await page.ScreenshotAsync(new() { Path = Path.Combine(ChromiumFixture.ScreenshotDirectory, "leaderboard.png"), FullPage = true });

        // The CSV, downloaded: every cell with its interval and the difference to the chosen baseline.
        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("#leaderboard-csv").ClickAsync());
        var csv = await File.ReadAllLinesAsync(await download.PathAsync());
        Assert.Equal("model,set,metric,value,low,high,items,delta_to_baseline", csv[0]);
        var row = csv.Single(l => l.StartsWith($"{tuned},demo-eval-choices,acc_norm,", StringComparison.Ordinal)).Split(',');
        Assert.Equal(delta, double.Parse(row[7], CultureInfo.InvariantCulture), 12);
        Assert.Equal("18", row[6]);
        Assert.Contains(csv, l => l.StartsWith("demo-gpt2,demo-eval-choices,acc,", StringComparison.Ordinal) && l.EndsWith(','));

        // The comparison page shows the evaluation beside the curves: a column per evaluated model, none for the SFT run.
        await GotoAsync(page, $"/compare?runs={sft},{evaluation}");
        var table = page.Locator("#compare-evaluation");
        await Assertions.Expect(table.Locator("thead th[data-model]")).ToHaveCountAsync(2);
        await Assertions.Expect(table.Locator($"thead th[data-run='{sft}']")).ToHaveCountAsync(0);
        var accRow = table.Locator("tr[data-set='demo-eval-choices'][data-metric='acc'] td");
        await Assertions.Expect(accRow).ToHaveCountAsync(4);
        await Assertions.Expect(accRow.Nth(2)).ToContainTextAsync(Value("demo-gpt2", "acc").ToString("G4", CultureInfo.InvariantCulture));
        await Assertions.Expect(accRow.Nth(3)).ToContainTextAsync(Value(tuned, "acc").ToString("G4", CultureInfo.InvariantCulture));
        await page.ScreenshotAsync(new() { Path = Path.Combine(ChromiumFixture.ScreenshotDirectory, "compare-evaluation.png"), FullPage = true });
    }

    [Fact]
    public async Task AFigaRunThatEvaluatesItsExportLinksItsEvaluationOnItsRunPage()
    {
        using var api = NewApi();
        await api.Http.PostAsync("/api/models/demo", null);
        var figa = Guid.Parse((await api.CreateRunAsync(new
        {
            method = "figa",
            parameters = new { preset = "demo", max_steps = 2, batch_size = 4, grad_accum = 1, eval_every = 0, eval_fraction = 0.05, evaluate_with = new[] { "demo-eval-choices" } },
        }))["id"]!.GetValue<string>());
        await api.WaitForStatusAsync(figa, "Succeeded", TimeSpan.FromSeconds(120));

        var page = await NewPageAsync();
        await GotoAsync(page, $"/runs/{figa}");
        await page.Locator("#leaderboard-link").ClickAsync();
        await page.WaitForURLAsync(new Regex($"/runs/{figa}/leaderboard$"));
        await Assertions.Expect(page.Locator($"#leaderboard tr[data-model='runs/{figa}/export'] td[data-metric='acc'] .leaderboard-value")).ToBeVisibleAsync();
    }
}
