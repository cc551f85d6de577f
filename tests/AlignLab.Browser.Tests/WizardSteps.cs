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
            // A click that lands while the server re-renders the step (e.g. just after a method was chosen) can be lost:
            // click again if the step has not moved within 3 s.
            for (int attempt = 1; ; attempt++)
            {
                await page.GetByRole(AriaRole.Button, new() { Name = "Next" }).ClickAsync();
                try
                {
                    await Assertions.Expect(page.Locator("#wizard-step")).Not.ToHaveAttributeAsync("data-step", step!, new() { Timeout = 3_000 });
                    break;
                }
                catch (PlaywrightException) when (attempt < 3) { }
            }
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
