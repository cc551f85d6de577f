using System.Text.RegularExpressions;
using AlignLab.Testing;
using Microsoft.Playwright;

namespace AlignLab.Browser.Tests;

/// <summary>A user brings a Qwen3 folder: the registry page shows its tokenizer, chat template and EOS ids (and a broken
/// folder with its reason); the wizard makes the model's own chat template the default for it, and the SFT run completes.</summary>
[Collection(BrowserCollection.Name)]
public sealed class RealModelWizardTests(PostgresFixture postgres, ChromiumFixture chromium) : BrowserTestBase(postgres, chromium)
{
    [Fact]
    public async Task AQwenThreeFolderIsListedAndTrainedFromTheWizardWithItsChatTemplate()
    {
        RealModels.Create("qwen3", Path.Combine(Models, "qwen3-tiny"), positions: 512);
        RealModels.Create("llama3", Path.Combine(Models, "llama3-yarn"),
            configure: c => c["rope_scaling"] = new System.Text.Json.Nodes.JsonObject { ["rope_type"] = "yarn", ["factor"] = 4.0 });

        var page = await NewPageAsync();
        await GotoAsync(page, "/models");
        var row = page.Locator("tr", new() { HasText = "qwen3-tiny" });
        await Assertions.Expect(row).ToContainTextAsync("Qwen3ForCausalLM");
        await Assertions.Expect(row).ToContainTextAsync("tokenizer.json");
        await Assertions.Expect(row).ToContainTextAsync("151645");
        await Assertions.Expect(page.Locator("tr", new() { HasText = "llama3-yarn" }).Locator(".model-problem")).ToContainTextAsync("yarn");
        await page.ScreenshotAsync(new() { Path = Path.Combine(ChromiumFixture.ScreenshotDirectory, "models-real.png"), FullPage = true });

        await GotoAsync(page, "/experiments/new?method=sft");
        await WizardSteps.ReachAsync(page, "#param-model");
        await page.Locator("[data-parameter='model'] .mud-select").First.ClickAsync();
        await page.GetByText(new Regex("^qwen3-tiny \\(qwen3")).ClickAsync();
        foreach (var (name, value) in new[] { ("max_steps", "2"), ("batch_size", "2"), ("eval_every", "0"), ("max_length", "96") })
            await WizardSteps.FillAsync(page, name, value);
        await WizardSteps.ReviewAsync(page);
        await Assertions.Expect(page.Locator("#review-spec")).ToContainTextAsync("\"template\": \"model\"");
        await Assertions.Expect(page.Locator("#review-spec")).ToContainTextAsync("\"model\": \"qwen3-tiny\"");
        await page.Locator("#launch").ClickAsync();

        await page.WaitForURLAsync(new Regex("/runs/[0-9a-f-]{36}$"));
        await Assertions.Expect(page.Locator("[data-status='Succeeded']")).ToBeVisibleAsync(new() { Timeout = 180_000 });
        await page.ScreenshotAsync(new() { Path = Path.Combine(ChromiumFixture.ScreenshotDirectory, "qwen3-sft-run.png"), FullPage = true });
    }
}
