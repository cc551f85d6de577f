using Microsoft.Playwright;

namespace AlignLab.Browser.Tests;

/// <summary>Chooses a file in the dataset upload panel. The file input reports a choice only once its script is attached,
/// a moment after the panel first renders; a choice made before that is lost (a person cannot be that fast), so the file
/// is chosen again until the panel has read it and offers Upload.</summary>
public static class UploadPanel
{
    public static async Task ChooseFileAsync(IPage page, FilePayload file)
    {
        for (var attempt = 1; ; attempt++)
        {
            await page.Locator("#upload-file").SetInputFilesAsync(file);
            try
            {
                await Assertions.Expect(page.Locator("#upload-dataset")).ToBeEnabledAsync(new() { Timeout = 5_000 });
                return;
            }
            catch (PlaywrightException) when (attempt < 3) { }
        }
    }
}
