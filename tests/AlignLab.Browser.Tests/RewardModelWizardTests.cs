using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AlignLab.Testing;
using Microsoft.Playwright;

namespace AlignLab.Browser.Tests;

/// <summary>“Aligning Large Language Models via Fine-grained Supervision” from the wizard: a token-level reward model is trained, its per-token rewards show as a heatmap
/// on its run page, and fine-grained token-level PPO is launched against its export, picked from the model list; then
/// the other two variants (fine-grained PPO, PPO-RLHF) against sequence-level reward models.</summary>
[Collection(BrowserCollection.Name)]
public sealed class RewardModelWizardTests(PostgresFixture postgres, ChromiumFixture chromium) : BrowserTestBase(postgres, chromium)
{
    private static async Task ChooseAsync(IPage page, string parameter, string option)
    {
        await WizardSteps.ReachAsync(page, $"[data-parameter='{parameter}']");
        await page.Locator($"[data-parameter='{parameter}'] .mud-select").First.ClickAsync();
        await page.Locator(".mud-popover-open").GetByText(new Regex($"^{Regex.Escape(option)}( |$)")).First.ClickAsync();
    }

    private async Task LaunchAsync(IPage page, string method, string methodTitle, Func<Task> fill)
    {
        await GotoAsync(page, "/experiments/new");
        await page.GetByRole(AriaRole.Radio, new() { Name = methodTitle }).CheckAsync();
        await fill();
        await WizardSteps.ReviewAsync(page);
        await Assertions.Expect(page.Locator("#review-spec")).ToContainTextAsync($"\"method\": \"{method}\"");
        await page.Locator("#launch").ClickAsync();
        await page.WaitForURLAsync(new Regex("/runs/[0-9a-f-]{36}$"));
        await Assertions.Expect(page.Locator("[data-status='Succeeded']")).ToBeVisibleAsync(new() { Timeout = 120_000 });
    }

    [Fact]
    public async Task ATokenLevelRewardModelShowsItsHeatmapAndTheThreePpoVariantsRunFromTheWizard()
    {
        using var api = NewApi();
        await api.Http.PostAsync("/api/models/demo", null);
        var page = await NewPageAsync();
        await page.GotoAsync(Base);

        await LaunchAsync(page, "reward-model", "Reward model (sequence or token level)", async () =>
        {
            foreach (var (name, value) in new[] { ("max_steps", "4"), ("batch_size", "8"), ("eval_every", "2"), ("eval_fraction", "0.02"), ("checkpoint_every", "0") })
                await WizardSteps.FillAsync(page, name, value);
        });
        var rmId = page.Url.Split('/')[^1];
        await Assertions.Expect(page.Locator("polyline[data-series='loss']")).ToHaveCountAsync(1);

        // The heatmap shows the held-out pairs' per-token rewards as written in token_rewards.jsonl.
        var first = JsonNode.Parse(File.ReadLines(Path.Combine(Artifacts, "runs", rmId, "token_rewards.jsonl")).First())!;
        var preferred = first["preferred"]!.AsArray();
        var row = page.Locator("#token-heatmap .heatmap-pair").First.Locator("[data-row='preferred'] .hm-token");
        await Assertions.Expect(row).ToHaveCountAsync(preferred.Count);
        for (int t = 0; t < preferred.Count; t++)
        {
            var shown = double.Parse((await row.Nth(t).GetAttributeAsync("data-value"))!, CultureInfo.InvariantCulture);
            Assert.Equal(preferred[t]!["reward"]!.GetValue<double>(), shown, 9);
            Assert.Equal(preferred[t]!["changed"]!.GetValue<bool>(), (await row.Nth(t).GetAttributeAsync("class"))!.Contains("hm-changed"));
        }
        Assert.Contains(preferred, t => t!["changed"]!.GetValue<bool>());
        // The held-out reward distributions: every held-out pair counted once in each histogram.
        var heldOut = File.ReadLines(Path.Combine(Artifacts, "runs", rmId, "token_rewards.jsonl")).Count();
        foreach (var histogram in new[] { "preferred", "other", "margin" })
        {
            var counts = await page.Locator($"#reward-distribution [data-name='{histogram}'] rect").EvaluateAllAsync<int[]>("bars => bars.map(b => +b.dataset.count)");
            Assert.Equal(heldOut, counts.Sum());
        }
        await page.ScreenshotAsync(new() { Path = Path.Combine(ChromiumFixture.ScreenshotDirectory, "reward-model-heatmap.png"), FullPage = true });

        await LaunchAsync(page, "ppo", "PPO with a reward model (token- or sequence-level)", async () =>
        {
            await ChooseAsync(page, "reward_model", $"runs/{rmId}/export");
            await ChooseAsync(page, "variant", "fine-grained-token");
            foreach (var (name, value) in new[] { ("max_steps", "2"), ("batch_size", "4"), ("mini_batch_size", "2"), ("max_new_tokens", "6"), ("sample_every", "1"), ("checkpoint_every", "1") })
                await WizardSteps.FillAsync(page, name, value);
            await page.ScreenshotAsync(new() { Path = Path.Combine(ChromiumFixture.ScreenshotDirectory, "ppo-wizard.png"), FullPage = true });
        });
        var ppoId = page.Url.Split('/')[^1];
        await Assertions.Expect(page.Locator("polyline[data-series='reward']")).ToHaveAttributeAsync("data-count", "2");
        await Assertions.Expect(page.Locator("#run-samples tbody tr")).ToHaveCountAsync(8);
        var spec = (await api.GetRunAsync(Guid.Parse(ppoId)))["parameters"]!;
        Assert.Equal("fine-grained-token", spec["variant"]!.GetValue<string>());
        Assert.Equal($"runs/{rmId}/export", spec["reward_model"]!.GetValue<string>());
        Assert.True(Directory.Exists(Path.Combine(Artifacts, "runs", ppoId, "checkpoints", "step-0000000001")));
        Assert.Equal("fine-grained-token", Exported(ppoId)["alignlab_ppo_variant"]!.GetValue<string>());

        // The other two variants, against sequence-level reward models trained (through the API) on edited and on original pairs.
        foreach (var (variant, pairs) in new[] { ("fine-grained", "edited"), ("ppo-rlhf", "original") })
        {
            var rm = await api.CreateRunAsync(new { method = "reward-model", parameters = new { level = "sequence", pairs, max_steps = 2, batch_size = 8, eval_fraction = 0.02, checkpoint_every = 0 } });
            var sequenceRm = rm["id"]!.GetValue<string>();
            await api.WaitForStatusAsync(Guid.Parse(sequenceRm), "Succeeded", TimeSpan.FromSeconds(120));
            await LaunchAsync(page, "ppo", "PPO with a reward model (token- or sequence-level)", async () =>
            {
                await ChooseAsync(page, "reward_model", $"runs/{sequenceRm}/export");
                await ChooseAsync(page, "variant", variant);
                foreach (var (name, value) in new[] { ("max_steps", "2"), ("batch_size", "4"), ("mini_batch_size", "2"), ("max_new_tokens", "6"), ("sample_every", "1"), ("checkpoint_every", "1") })
                    await WizardSteps.FillAsync(page, name, value);
            });
            await Assertions.Expect(page.Locator("polyline[data-series='reward']")).ToHaveAttributeAsync("data-count", "2");
            await Assertions.Expect(page.Locator("#run-samples tbody tr")).ToHaveCountAsync(8);
            Assert.Equal(variant, Exported(page.Url.Split('/')[^1])["alignlab_ppo_variant"]!.GetValue<string>());
        }
    }

    private JsonNode Exported(string runId) => JsonNode.Parse(File.ReadAllText(Path.Combine(Artifacts, "runs", runId, "export", "config.json")))!;
}
