using AlignLab.Testing;
using Microsoft.Playwright;

namespace AlignLab.Browser.Tests;

/// <summary>A PPO run's page: its live curves and the sample generations it stores.</summary>
[Collection(BrowserCollection.Name)]
public sealed class PpoRunPageTests(PostgresFixture postgres, ChromiumFixture chromium) : BrowserTestBase(postgres, chromium)
{
    [Fact]
    public async Task ThePageShowsTheRewardCurveAndTheSampleGenerations()
    {
        using var api = NewApi();
        await api.Http.PostAsync("/api/models/demo", null);
        var run = await api.CreateRunAsync(new
        {
            method = "ppo",
            parameters = new { reward = "keyword", keyword = "Tokyo", max_steps = 3, batch_size = 4, mini_batch_size = 2, max_new_tokens = 6, sample_every = 1, checkpoint_every = 0 },
        });
        var id = run["id"]!.GetValue<string>();
        await api.WaitForStatusAsync(Guid.Parse(id), "Succeeded", TimeSpan.FromSeconds(120));

        var page = await NewPageAsync();
        await GotoAsync(page, $"/runs/{id}");
        // The reward curve is shown by default, with a point per step.
        await Assertions.Expect(page.Locator("polyline[data-series='reward']")).ToHaveAttributeAsync("data-count", "3");
        // Four samples per step, newest step first.
        await Assertions.Expect(page.Locator("#run-samples tbody tr")).ToHaveCountAsync(12);
        await Assertions.Expect(page.Locator("#run-samples tbody tr").First).ToHaveAttributeAsync("data-step", "3");
        await page.ScreenshotAsync(new() { Path = Path.Combine(ChromiumFixture.ScreenshotDirectory, "ppo-run.png"), FullPage = true });
    }
}
