using System.Text.RegularExpressions;
using AlignLab.Testing;
using Microsoft.Playwright;

namespace AlignLab.Browser.Tests;

[Collection(BrowserCollection.Name)]
public sealed class RunPagesTests(PostgresFixture postgres, ChromiumFixture chromium) : BrowserTestBase(postgres, chromium)
{
    private IPage _page = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _page = await NewPageAsync();
    }

    private Task ScreenshotAsync(string name) =>
        _page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ChromiumFixture.ScreenshotDirectory, name + ".png"), FullPage = true });

    private async Task<int> PlottedLossPointsAsync()
    {
        var line = _page.Locator("polyline[data-series='loss']");
        return await line.CountAsync() == 0 ? 0 : int.Parse(await line.GetAttributeAsync("data-count") ?? "0");
    }

    [Fact]
    public async Task TheWizardLaunchesARunWhoseChartGrowsLive()
    {
        await GotoAsync(_page, "/experiments/new");
        await _page.GetByText("Smoke test").First.ClickAsync();
        await WizardSteps.FillAsync(_page, "steps", "60");
        await WizardSteps.FillAsync(_page, "delay_ms", "100");
        await ScreenshotAsync("wizard-hyperparameters");
        await WizardSteps.ReachAsync(_page, "#run-name-input");
        await _page.Locator("#run-name-input").FillAsync("browser smoke");
        await WizardSteps.ReviewAsync(_page);
        await Assertions.Expect(_page.Locator("#review-spec")).ToContainTextAsync("\"steps\": 60");
        await _page.Locator("#launch").ClickAsync();

        await _page.WaitForURLAsync(new Regex("/runs/[0-9a-f-]{36}$"));
        await Assertions.Expect(_page.Locator("#run-name")).ToHaveTextAsync("browser smoke");
        var early = await Eventually.GetAsync(PlottedLossPointsAsync, n => n >= 3, TimeSpan.FromSeconds(20), "the first points on the chart");
        var later = await Eventually.GetAsync(PlottedLossPointsAsync, n => n >= early + 10, TimeSpan.FromSeconds(20), "the chart to grow");
        Assert.True(later < 60, "the chart should grow while the run is still going, not appear complete at once");
        await ScreenshotAsync("run-page-live");

        await Assertions.Expect(_page.Locator("[data-status='Succeeded']")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        Assert.Equal(60, await PlottedLossPointsAsync());
        await ScreenshotAsync("run-page-succeeded");
        await TheChartAnswersTheMouseAsync();
    }

    /// <summary>On the finished smoke run's chart: the hover crosshair lists every drawn series' value, a drag across a
    /// quarter of the plot zooms to those steps, and the wall-time switch relabels the x-axis in seconds.</summary>
    private async Task TheChartAnswersTheMouseAsync()
    {
        var svg = _page.Locator(".metric-chart svg");
        var box = (await svg.BoundingBoxAsync())!;
        float plotLeft = box.X + box.Width * 56 / 800, plotWidth = box.Width * 732 / 800, middle = box.Y + box.Height / 2;
        var firstStep = int.Parse((await _page.Locator("[data-testid='x-min']").TextContentAsync())!);

        await _page.Mouse.MoveAsync(plotLeft + plotWidth / 2, middle);
        var tooltip = _page.Locator("[data-testid='chart-tooltip']");
        await Assertions.Expect(tooltip).ToBeVisibleAsync();
        await Assertions.Expect(tooltip.Locator(".chart-tooltip-x")).ToContainTextAsync("step ");
        await Assertions.Expect(tooltip).ToContainTextAsync("loss: ");
        Assert.Equal(await _page.Locator(".metric-chart polyline").CountAsync(), await tooltip.Locator(".chart-tooltip-row").CountAsync());
        await ScreenshotAsync("chart-crosshair");

        await _page.Mouse.MoveAsync(plotLeft + plotWidth * 0.25f, middle);
        await _page.Mouse.DownAsync();
        await _page.Mouse.MoveAsync(plotLeft + plotWidth * 0.5f, middle, new() { Steps = 5 });
        await _page.Mouse.UpAsync();
        await Assertions.Expect(_page.Locator("#chart-reset-zoom")).ToBeVisibleAsync();
        // Steps first…60: the quarter from 25% to 50% of the span, give or take a step for the pixel the mouse lands on.
        var expectedFrom = firstStep + 0.25 * (60 - firstStep);
        Assert.InRange(int.Parse((await _page.Locator("[data-testid='x-min']").TextContentAsync())!), expectedFrom - 1.5, expectedFrom + 1.5);
        var drawn = (await _page.Locator("polyline[data-series='loss']").GetAttributeAsync("points"))!.Split(' ').Length;
        Assert.InRange(drawn, 12, 20);   // about 15 steps inside, and one beyond each end
        await ScreenshotAsync("chart-zoomed");

        await _page.Locator("#chart-reset-zoom").ClickAsync();
        await Assertions.Expect(_page.Locator("#chart-reset-zoom")).ToHaveCountAsync(0);
        await Assertions.Expect(_page.Locator("[data-testid='x-min']")).ToHaveTextAsync(firstStep.ToString());

        await _page.GetByText("Wall time", new() { Exact = true }).ClickAsync();
        await Assertions.Expect(svg).ToHaveAttributeAsync("data-axis", "time");
        await Assertions.Expect(_page.Locator("[data-testid='x-max']")).ToHaveTextAsync(new Regex(@"^\d+ s$"));
    }

    [Fact]
    public async Task AnOutOfRangeValueBlocksTheHyperparameterStep()
    {
        await GotoAsync(_page, "/experiments/new");
        await _page.GetByText("Smoke test").First.ClickAsync();
        await WizardSteps.FillAsync(_page, "steps", "0");
        await Assertions.Expect(_page.GetByText("must be between 1 and 1000000")).ToBeVisibleAsync();
        await _page.GetByRole(AriaRole.Button, new() { Name = "Next" }).ClickAsync();
        await Assertions.Expect(_page.Locator("#param-steps")).ToBeVisibleAsync();
        await Assertions.Expect(_page.Locator("#run-name-input")).Not.ToBeVisibleAsync();
        await ScreenshotAsync("wizard-invalid");
    }

    [Fact]
    public async Task TheRunsListShowsRunsAndLinksToThem()
    {
        using var api = NewApi();
        var run = await api.CreateRunAsync(new { method = "smoke", name = "listed run", parameters = new { steps = 3, delay_ms = 0 } });
        await api.WaitForStatusAsync(Guid.Parse(run["id"]!.GetValue<string>()), "Succeeded", TimeSpan.FromSeconds(20));

        await GotoAsync(_page, "/runs");
        await _page.GetByText("listed run").ClickAsync();
        await _page.WaitForURLAsync(new Regex($"/runs/{run["id"]!.GetValue<string>()}$"));
        await Assertions.Expect(_page.Locator("[data-status='Succeeded']")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task TheModelsPageCreatesTheDemoModel()
    {
        await GotoAsync(_page, "/models");
        await Assertions.Expect(_page.GetByText("No models yet.")).ToBeVisibleAsync();
        await _page.Locator("#create-demo-model").ClickAsync();
        await Assertions.Expect(_page.GetByRole(AriaRole.Cell, new() { Name = "demo-gpt2" })).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await Assertions.Expect(_page.GetByRole(AriaRole.Cell, new() { Name = "gpt2", Exact = true })).ToBeVisibleAsync();
        await ScreenshotAsync("models-page");
    }
}
