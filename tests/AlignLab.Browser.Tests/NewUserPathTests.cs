using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AlignLab.Testing;
using Microsoft.Playwright;

namespace AlignLab.Browser.Tests;

/// <summary>The path README describes for a new user, on the embedded defaults: home page (the demo policy trains at
/// first start, then Start) → Next through the wizard → Launch → a finished FIGA run on the demo data, from the demo
/// policy, that visibly penalises tokens (the counted penalised tokens and their falling log-probability on the run page)
/// and whose page shows the token-weight heatmap, counted and uncounted penalties told apart. The only change from the
/// demo preset is fewer steps, to keep the test short; the wizard marks it, and the run records it.</summary>
[Collection(BrowserCollection.Name)]
public sealed class NewUserPathTests(PostgresFixture postgres, ChromiumFixture chromium) : BrowserTestBase(postgres, chromium)
{
    // As on a fresh machine: the demo model and the demo policy are made at start-up.
    protected override bool CreateDemoModel => true;

    [Fact]
    public async Task FromTheHomePageToAFinishedFigaRunThatPenalisesTokensAndItsHeatmap()
    {
        using var api = NewApi();
        var page = await NewPageAsync(width: 1280, height: 800);
        await GotoAsync(page, "/");
        // Start waits for the demo policy, which the platform trains as a run of its own.
        await Assertions.Expect(page.Locator("#start-figa")).ToBeVisibleAsync(new() { Timeout = 240_000 });
        var policyRun = JsonNode.Parse(await api.Http.GetStringAsync("/api/runs?method=sft"))!["items"]!.AsArray().Single()!;
        Assert.Equal(AlignLab.Core.Demo.DemoPolicy.RunName, policyRun["name"]!.GetValue<string>());
        Assert.Null(policyRun["launchedBy"]);                                     // the platform's own run
        await page.ScreenshotAsync(new() { Path = Path.Combine(ChromiumFixture.ScreenshotDirectory, "home.png"), FullPage = true });
        await page.Locator("#start-figa").ClickAsync();
        await page.WaitForURLAsync(new Regex("/experiments/new\\?method=figa&preset=demo&model=demo-gpt2-sft$"));
        await page.Locator("[data-interactive='true']").WaitForAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Radio, new() { Name = "FIGA: fine-grained quality-aware alignment" })).ToBeCheckedAsync();
        // The first run starts from the demo preset, and a value changed from it is marked with the preset's value.
        await Assertions.Expect(page.GetByRole(AriaRole.Radio, new() { Name = "demo", Exact = true })).ToBeCheckedAsync();
        await WizardSteps.FillAsync(page, "max_steps", "10");
        await page.Keyboard.PressAsync("Tab");
        await Assertions.Expect(page.Locator(".changed-from-preset[data-parameter='max_steps']")).ToContainTextAsync("changed from demo: 200");
        await Assertions.Expect(page.Locator(".changed-from-preset")).ToHaveCountAsync(1);
        await WizardSteps.ReviewAsync(page);
        await Assertions.Expect(page.Locator("#review-preset")).ToContainTextAsync("Preset demo; changed: model, max_steps");
        await Assertions.Expect(page.Locator("#review-spec")).ToContainTextAsync("\"preset\": \"demo\"");
        await Assertions.Expect(page.Locator("#review-spec")).ToContainTextAsync("\"dataset\": \"demo-spa\"");
        await Assertions.Expect(page.Locator("#review-spec")).ToContainTextAsync("\"model\": \"demo-gpt2-sft\"");
        // This machine runs the jobs itself and has no GPU: the wizard proposes the cpu queue, not FIGA's gpu.
        await Assertions.Expect(page.Locator("#review-spec")).ToContainTextAsync("\"queue\": \"cpu\"");
        // The review step ends in Launch: no "Complete" that would launch nothing, and Previous stays.
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Complete" })).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#wizard-previous")).ToBeVisibleAsync();
        await page.Locator("#launch").ClickAsync();
        await page.WaitForURLAsync(new Regex("/runs/[0-9a-f-]{36}$"));
        await Assertions.Expect(page.Locator("[data-status='Succeeded']")).ToBeVisibleAsync(new() { Timeout = 180_000 });
        var runId = page.Url.Split('/')[^1];
        await Assertions.Expect(page.Locator("#run-preset")).ToContainTextAsync("preset demo, changed: model, max_steps");

        // FIGA penalised tokens the policy was confident in, and their log-probability fell: in the data, and on the page.
        var metrics = JsonNode.Parse(await api.Http.GetStringAsync($"/api/runs/{runId}/metrics"))!.AsArray();
        double[] Series(string name) => [.. metrics.Where(p => p!["name"]!.GetValue<string>() == name).Select(p => p!["value"]!.GetValue<double>())];
        Assert.True(Series("bad_tokens_kept").Sum() > 0, "no penalised token counted");
        var penalised = Series("eval_penalised_token_logp");
        Assert.True(penalised.Length >= 2 && penalised[^1] < penalised[0], $"eval_penalised_token_logp did not fall: {string.Join(", ", penalised)}");
        foreach (var name in new[] { "bad_tokens_kept", "eval_penalised_token_logp" })
        {
            await page.Locator($"[data-metric='{name}']").ClickAsync();
            await Assertions.Expect(page.Locator($"polyline[data-series='{name}']")).ToHaveAttributeAsync("data-count", Series(name).Length.ToString(CultureInfo.InvariantCulture));
        }
        await page.ScreenshotAsync(new() { Path = Path.Combine(ChromiumFixture.ScreenshotDirectory, "new-user-figa-curves.png"), FullPage = true });

        // The heatmap shows the weights FIGA wrote for its held-out pairs; a penalty the loss did not count (the model was
        // not confident in the token) is marked as such, one for one with the file.
        var first = JsonNode.Parse(File.ReadLines(Path.Combine(Artifacts, "runs", runId, "token_weights.jsonl")).First())!;
        var revised = first["revised"]!.AsArray();
        var row = page.Locator("#token-heatmap .heatmap-pair").First.Locator("[data-row='revised Ỹ'] .hm-token");
        await Assertions.Expect(row).ToHaveCountAsync(revised.Count);
        for (int t = 0; t < revised.Count; t++)
            Assert.Equal(revised[t]!["weight"]!.GetValue<double>(), double.Parse((await row.Nth(t).GetAttributeAsync("data-value"))!, CultureInfo.InvariantCulture), 9);
        var original = first["original"]!.AsArray();
        var uncounted = original.Count(t => t!["weight"]!.GetValue<double>() != 0 && !t["counted"]!.GetValue<bool>());
        var initialRow = page.Locator("#token-heatmap .heatmap-pair").First.Locator("[data-row='initial Ŷ'] .hm-token");
        await Assertions.Expect(initialRow).ToHaveCountAsync(original.Count);
        await Assertions.Expect(page.Locator("#token-heatmap .heatmap-pair").First.Locator("[data-row='initial Ŷ'] .hm-token[data-counted='false']")).ToHaveCountAsync(uncounted);
        await page.ScreenshotAsync(new() { Path = Path.Combine(ChromiumFixture.ScreenshotDirectory, "new-user-figa-heatmap.png"), FullPage = true });

        // Back to step 0 with the NLL shown: the snapshot FIGA wrote before training, token by token.
        var steps = Directory.GetFiles(Path.Combine(Artifacts, "runs", runId, "token_weights_steps")).Order().ToList();
        var atStart = JsonNode.Parse(File.ReadLines(steps[0]).First())!["revised"]!.AsArray();
        await page.Locator("#heatmap-step-slider input[type=range]").FillAsync("0");
        await Assertions.Expect(page.Locator("#heatmap-step")).ToHaveTextAsync("step 0");
        await page.Locator("#heatmap-channel .mud-select").First.ClickAsync();
        await page.Locator(".mud-popover-open").GetByText("nll", new() { Exact = true }).ClickAsync();
        await Assertions.Expect(row.First).ToHaveAttributeAsync("data-value", atStart[0]!["nll"]!.GetValue<double>().ToString("R", CultureInfo.InvariantCulture));
        await page.ScreenshotAsync(new() { Path = Path.Combine(ChromiumFixture.ScreenshotDirectory, "new-user-figa-heatmap-step0.png"), FullPage = true });

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
