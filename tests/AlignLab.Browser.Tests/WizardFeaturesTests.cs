using System.Text;
using System.Text.RegularExpressions;
using AlignLab.Testing;
using Microsoft.Playwright;

namespace AlignLab.Browser.Tests;

/// <summary>The wizard beyond one launch: a dataset uploaded in its data step (the validation report inline, nothing
/// stored for a bad file), a run cloned into it and retried from its page, and a sweep that launches a grid and
/// opens its comparison.</summary>
[Collection(BrowserCollection.Name)]
public sealed class WizardFeaturesTests(PostgresFixture postgres, ChromiumFixture chromium) : BrowserTestBase(postgres, chromium)
{
    private IPage _page = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _page = await NewPageAsync();
    }

    private async Task OpenWizardAsync(string methodTitle, string query = "")
    {
        await GotoAsync(_page, $"/experiments/new{query}");
        if (query == "") await _page.GetByRole(AriaRole.Radio, new() { Name = methodTitle }).CheckAsync();
    }

    private static FilePayload Jsonl(string name, params string[] lines) =>
        new() { Name = name, MimeType = "application/json", Buffer = Encoding.UTF8.GetBytes(string.Join('\n', lines)) };

    [Fact]
    public async Task ADatasetUploadedInTheDataStepIsValidatedThenSelected()
    {
        using var api = NewApi();
        await api.Http.PostAsync("/api/models/demo", null);
        await OpenWizardAsync("FIGA: fine-grained quality-aware alignment");
        await WizardSteps.ReachAsync(_page, "[data-testid='dataset-upload']");
        const string good = """{"instruction":"What is the capital of Japan?","output":"Tokyo.","original_output":"Rome.","revised_output":"Tokyo."}""";
        await UploadPanel.ChooseFileAsync(_page, Jsonl("capitals.jsonl", good, """{"instruction":"What is 2+2?","output":"4","original_output":"5"}"""));
        await _page.Locator("#upload-dataset").ClickAsync();
        await Assertions.Expect(_page.Locator("#upload-errors")).ToContainTextAsync("nothing was stored");
        await Assertions.Expect(_page.Locator("#upload-errors [data-field='line 2.revised_output']")).ToBeVisibleAsync();
        Assert.Equal("[]", (await api.Http.GetStringAsync("/api/datasets")).Trim());

        await _page.Locator("#upload-file").SetInputFilesAsync(Jsonl("capitals.jsonl", good, good.Replace("Japan", "Italy").Replace("Tokyo", "Rome")));
        await _page.Locator("#upload-dataset").ClickAsync();
        await Assertions.Expect(_page.Locator("#upload-stored")).ToContainTextAsync("2 examples");
        var datasets = System.Text.Json.Nodes.JsonNode.Parse(await api.Http.GetStringAsync("/api/datasets"))!.AsArray();
        var id = Assert.Single(datasets)!["id"]!.GetValue<string>();
        Assert.Equal("capitals", datasets[0]!["name"]!.GetValue<string>());
        await WizardSteps.ReviewAsync(_page);
        await Assertions.Expect(_page.Locator("#review-spec")).ToContainTextAsync($"\"dataset\": \"{id}\"");
    }

    [Fact]
    public async Task AFailedRunIsRetriedFromItsPageAndClonedIntoTheWizard()
    {
        using var api = NewApi();
        var run = await api.CreateRunAsync(new { method = "smoke", name = "flaky", parameters = new { steps = 5, delay_ms = 0, fail_at_step = 2, decay = 0.25 } });
        var id = Guid.Parse(run["id"]!.GetValue<string>());
        await api.WaitForStatusAsync(id, "Failed", TimeSpan.FromSeconds(30));

        await GotoAsync(_page, $"/runs/{id}");
        await _page.Locator("#status-history").ClickAsync();
        await Assertions.Expect(_page.Locator("#status-history tr[data-event]")).ToHaveCountAsync(3);     // Queued, Running, Failed
        await _page.Locator("#retry-run").ClickAsync();
        await _page.WaitForURLAsync(new Regex("/runs/(?!" + id + ")[0-9a-f-]{36}$"));
        await Assertions.Expect(_page.Locator("#run-name")).ToHaveTextAsync("flaky (retry)");

        await GotoAsync(_page, $"/runs/{id}");
        await _page.Locator("#clone-run").ClickAsync();
        await _page.WaitForURLAsync(new Regex($"/experiments/new\\?from={id}"));
        await Assertions.Expect(_page.Locator("#cloned-from")).ToContainTextAsync("flaky");
        await WizardSteps.ReachAsync(_page, "#param-decay");
        await Assertions.Expect(_page.Locator("#param-decay")).ToHaveValueAsync("0.25");
        await WizardSteps.FillAsync(_page, "fail_at_step", "0");
        await WizardSteps.ReviewAsync(_page);
        await Assertions.Expect(_page.Locator("#review-spec")).ToContainTextAsync("\"name\": \"flaky (clone)\"");
        await _page.Locator("#launch").ClickAsync();
        await Assertions.Expect(_page.Locator("[data-status='Succeeded']")).ToBeVisibleAsync(new() { Timeout = 30_000 });
    }

    [Fact]
    public async Task ASweepLaunchesOneRunPerGridPointAndComparesThem()
    {
        await OpenWizardAsync("Smoke test");
        await WizardSteps.FillAsync(_page, "steps", "4");
        await WizardSteps.FillAsync(_page, "delay_ms", "0");
        await WizardSteps.ReviewAsync(_page);
        await _page.Locator("#sweep").ClickAsync();
        async Task ChooseAsync(int axis, string parameter)
        {
            await _page.Locator($"[data-testid='sweep-parameter-{axis}'] .mud-select").First.ClickAsync();
            await _page.Locator(".mud-popover-open").GetByText(parameter, new() { Exact = true }).ClickAsync();
        }
        await ChooseAsync(0, "decay");
        // The choice has reached the server before the values are typed (the same order as a person's).
        await Assertions.Expect(_page.Locator("#sweep-problem")).ToContainTextAsync("decay: give its values");
        await _page.Locator("#sweep-values-0").FillAsync("0.1, -1");
        await Assertions.Expect(_page.Locator("#sweep-problem")).ToContainTextAsync("decay = -1");
        await Assertions.Expect(_page.Locator("#launch-sweep")).ToBeDisabledAsync();
        await _page.Locator("#sweep-values-0").FillAsync("0.1, 0.5");
        await Assertions.Expect(_page.Locator("#sweep-size")).ToHaveTextAsync("2 runs");
        await ChooseAsync(1, "initial_loss");
        await Assertions.Expect(_page.Locator("#sweep-problem")).ToContainTextAsync("initial_loss: give its values");
        await _page.Locator("#sweep-values-1").FillAsync("1, 3");
        await Assertions.Expect(_page.Locator("#sweep-size")).ToHaveTextAsync("4 runs");
        await _page.Locator("#launch-sweep").ClickAsync();
        await _page.WaitForURLAsync(new Regex("/compare\\?runs="));
        await Assertions.Expect(_page.Locator("#compare-final th[data-run]")).ToHaveCountAsync(4);
        await Assertions.Expect(_page.Locator("#compare-final")).ToContainTextAsync("[decay=0.5, initial_loss=3]");
        // The comparison is live: the runs finish and their curves fill in without a reload (4 steps each).
        await Assertions.Expect(_page.Locator("#compare-final th[data-status='Succeeded']")).ToHaveCountAsync(4, new() { Timeout = 60_000 });
        await Assertions.Expect(_page.Locator("polyline[data-count='4']")).ToHaveCountAsync(4);
        await Assertions.Expect(_page.Locator("#compare-config tbody tr")).ToHaveCountAsync(2);      // decay and initial_loss differ, nothing else
        await _page.ScreenshotAsync(new() { Path = Path.Combine(ChromiumFixture.ScreenshotDirectory, "sweep-compare.png"), FullPage = true });

        // The sweep at a glance: a line per run across decay, initial_loss and the metric; both parameters' importance;
        // only the settings that differ.
        await _page.Locator("#sweep-link").ClickAsync();
        await _page.WaitForURLAsync(new Regex("/sweeps/[0-9a-f-]+$"));
        await Assertions.Expect(_page.Locator("#sweep-parallel polyline.sweep-line")).ToHaveCountAsync(4);
        await Assertions.Expect(_page.Locator("#sweep-parallel .sweep-axis")).ToHaveTextAsync(["decay", "initial_loss", "loss"]);
        await Assertions.Expect(_page.Locator("#sweep-parallel polyline.sweep-line[stroke-dasharray='']")).ToHaveCountAsync(4);
        await Assertions.Expect(_page.Locator("#sweep-importance tbody tr")).ToHaveCountAsync(2);
        // The smoke loss is initial_loss · e^(−decay·4): both matter, initial_loss with a positive r.
        var r = await _page.Locator("#sweep-importance tr[data-parameter='initial_loss'] td").Nth(1).TextContentAsync();
        Assert.True(double.Parse(r!, System.Globalization.CultureInfo.InvariantCulture) > 0, r);
        await Assertions.Expect(_page.Locator("#sweep-config tbody tr[data-parameter]")).ToHaveCountAsync(3);     // decay, initial_loss, and the metric
        await _page.ScreenshotAsync(new() { Path = Path.Combine(ChromiumFixture.ScreenshotDirectory, "sweep.png"), FullPage = true });
    }
}
