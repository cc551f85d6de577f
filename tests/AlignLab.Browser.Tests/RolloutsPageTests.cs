using System.Globalization;
using System.Text.RegularExpressions;
using AlignLab.Testing;
using Microsoft.Playwright;

namespace AlignLab.Browser.Tests;

/// <summary>The rollouts browser of a PPO run: reached from the run page, each response a heatmap row of the chosen channel,
/// the step slider moving between the stored steps, and a second step's rollouts of the same prompts side by side.</summary>
[Collection(BrowserCollection.Name)]
public sealed class RolloutsPageTests(PostgresFixture postgres, ChromiumFixture chromium) : BrowserTestBase(postgres, chromium)
{
    [Fact]
    public async Task TheChannelSwitchesTheStepSliderMovesAndTwoStepsShowSideBySide()
    {
        using var api = NewApi();
        await api.Http.PostAsync("/api/models/demo", null);
        // Four prompts and batches of four: every step answers the same prompts, so two steps can be set side by side.
        var prompts = string.Join('\n', new[] { "Japan", "France", "Peru", "Kenya" }.Select(c => $$"""{"prompt":"What is the capital of {{c}}?"}"""));
        var upload = await api.Http.PostAsync("/api/datasets/generation?name=four-prompts", new StringContent(prompts, System.Text.Encoding.UTF8, "application/x-ndjson"));
        var dataset = System.Text.Json.Nodes.JsonNode.Parse(await upload.Content.ReadAsStringAsync())!["dataset"]!["id"]!.GetValue<string>();
        var id = Guid.Parse((await api.CreateRunAsync(new
        {
            method = "ppo",
            parameters = new
            {
                preset = "demo", reward = "keyword", keyword = "Tokyo", prompts = dataset, max_steps = 3, batch_size = 4, mini_batch_size = 2, ppo_epochs = 1,
                max_new_tokens = 6, sample_every = 2, rollouts_kept = 4, checkpoint_every = 0,
            },
        }))["id"]!.GetValue<string>());
        await api.WaitForStatusAsync(id, "Succeeded", TimeSpan.FromSeconds(120));

        var page = await NewPageAsync();
        await GotoAsync(page, $"/runs/{id}");
        await Assertions.Expect(page.Locator("#rollouts-link")).ToContainTextAsync("KB stored");
        await page.Locator("#rollouts-link").ClickAsync();
        await page.WaitForURLAsync(new Regex($"/runs/{id}/rollouts$"));

        // The last stored step (2), all four rollouts, KL by default.
        await Assertions.Expect(page.Locator("#rollouts-step")).ToHaveTextAsync("2");
        await Assertions.Expect(page.Locator(".rollout")).ToHaveCountAsync(4);
        await Assertions.Expect(page.Locator(".rollout").First).ToHaveAttributeAsync("data-step", "2");

        // The log-prob channel: every token's value is a log-probability, ≤ 0.
        await page.Locator("#rollouts-channel .mud-select").First.ClickAsync();
        await page.Locator(".mud-popover-open").GetByText("logprob", new() { Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator(".heatmap-legend")).ToContainTextAsync("logprob");
        var values = await page.Locator(".rollout .hm-token").EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.value)");
        Assert.NotEmpty(values);
        Assert.All(values, v => Assert.True(double.Parse(v, CultureInfo.InvariantCulture) <= 0, v));

        // The slider to step 1.
        await page.Locator("#rollouts-step-slider input[type=range]").FillAsync("0");
        await Assertions.Expect(page.Locator("#rollouts-step")).ToHaveTextAsync("1");
        await Assertions.Expect(page.Locator(".rollout").First).ToHaveAttributeAsync("data-step", "1");

        // Step 2 beside it: the same prompts, one column per step.
        await page.Locator("#rollouts-compare .mud-select").First.ClickAsync();
        await page.Locator(".mud-popover-open").GetByText("2", new() { Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator(".rollouts-side-by-side > div")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator(".rollouts-side-by-side [data-column='1'] .rollout")).ToHaveCountAsync(4);
        await Assertions.Expect(page.Locator(".rollouts-side-by-side [data-column='2'] .rollout")).ToHaveCountAsync(4);
        var left = await page.Locator(".rollouts-side-by-side [data-column='1'] .rollout b").AllTextContentsAsync();
        var right = await page.Locator(".rollouts-side-by-side [data-column='2'] .rollout b").AllTextContentsAsync();
        Assert.Equal(left, right);
        await page.ScreenshotAsync(new() { Path = Path.Combine(ChromiumFixture.ScreenshotDirectory, "rollouts.png"), FullPage = true });
    }
}
