using Microsoft.Playwright;

namespace AlignLab.Browser.Tests;

/// <summary>Moves through the experiment wizard (method → data → model → hyperparameters → compute → review): Next,
/// one step at a time, until what a test wants to fill is on screen. Steps only go forward here, so fill in step order.</summary>
public static class WizardSteps
{
    private static readonly string[] Order = ["Method", "Data", "Model", "Hyperparameters", "Compute", "Review"];

    public static async Task ReachAsync(IPage page, string selector)
    {
        for (int i = 0; i < Order.Length; i++)
        {
            if (await page.Locator(selector).First.IsVisibleAsync()) return;
            var step = await page.Locator("#wizard-step").GetAttributeAsync("data-step");
            if (step == "Review") break;
            await page.GetByRole(AriaRole.Button, new() { Name = "Next" }).ClickAsync();
            await Assertions.Expect(page.Locator("#wizard-step")).Not.ToHaveAttributeAsync("data-step", step!);
        }
        await Assertions.Expect(page.Locator(selector).First).ToBeVisibleAsync();
    }

    public static async Task FillAsync(IPage page, string parameter, string value)
    {
        await ReachAsync(page, $"#param-{parameter}");
        await page.Locator($"#param-{parameter}").FillAsync(value);
    }

    public static Task ReviewAsync(IPage page) => ReachAsync(page, "#review-spec");
}
