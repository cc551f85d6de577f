using System.Text.RegularExpressions;
using AlignLab.Testing;
using Microsoft.Playwright;

namespace AlignLab.Browser.Tests;

/// <summary>R³ PPO from the wizard on the demo data: the run completes and its page plots each reward component and
/// shows the reward-hacking report.</summary>
[Collection(BrowserCollection.Name)]
public sealed class R3WizardTests(PostgresFixture postgres, ChromiumFixture chromium) : BrowserTestBase(postgres, chromium)
{
    [Fact]
    public async Task AnR3RunLaunchedFromTheWizardPlotsEveryRewardComponentAndReportsRewardHacking()
    {
        using var api = NewApi();
        await api.Http.PostAsync("/api/models/demo", null);
        var page = await NewPageAsync();
        await GotoAsync(page, "/experiments/new");
        await page.GetByRole(AriaRole.Radio, new() { Name = "R³ PPO: regularised relevance reward" }).CheckAsync();
        // Without a retriever only the demo preset runs, on the lexical stand-in, and the run page says it is not R³.
        await page.GetByRole(AriaRole.Radio, new() { Name = "demo", Exact = true }).CheckAsync();
        foreach (var (name, value) in new[] { ("max_steps", "3"), ("batch_size", "4"), ("mini_batch_size", "2"), ("ppo_epochs", "1"), ("max_new_tokens", "8"), ("checkpoint_every", "0"), ("sample_every", "1") })
            await WizardSteps.FillAsync(page, name, value);
        await WizardSteps.ReviewAsync(page);
        await Assertions.Expect(page.Locator("#review-spec")).ToContainTextAsync("\"method\": \"r3-ppo\"");
        await page.Locator("#launch").ClickAsync();
        await page.WaitForURLAsync(new Regex("/runs/[0-9a-f-]{36}$"));
        await Assertions.Expect(page.Locator("[data-status='Succeeded']")).ToBeVisibleAsync(new() { Timeout = 120_000 });
        await Assertions.Expect(page.Locator("#not-r3")).ToContainTextAsync("not R³");

        await Assertions.Expect(page.Locator("polyline[data-series='reward']")).ToHaveAttributeAsync("data-count", "3");
        foreach (var component in new[] { "r3_relevance", "r3_length_incentive", "r3_repetition_penalty", "r3_closed_ended_share" })
        {
            await page.Locator($"[data-metric='{component}']").ClickAsync();
            await Assertions.Expect(page.Locator($"polyline[data-series='{component}']")).ToHaveAttributeAsync("data-count", "3");
        }
        await Assertions.Expect(page.Locator("#run-samples tbody tr")).ToHaveCountAsync(12);
        // The reward-hacking report: one phase per step, four rollouts each, and the first and last length histograms.
        await Assertions.Expect(page.Locator("#reward-hacking-phases tbody tr")).ToHaveCountAsync(3);
        await Assertions.Expect(page.Locator("#reward-hacking-phases tbody tr[data-from='3'] td").Nth(1)).ToHaveTextAsync("4");
        await Assertions.Expect(page.Locator("#reward-hacking [data-name='last-lengths']")).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(ChromiumFixture.ScreenshotDirectory, "r3-run.png"), FullPage = true });
    }
}
