using System.Text;
using AlignLab.Testing;
using Microsoft.Playwright;

namespace AlignLab.Browser.Tests;

/// <summary>A file with a NUL character and a lone surrogate, uploaded from the wizard, once took the whole page down
/// (the circuit died with no message): now its lines are reported, nothing is stored, and the page goes on working.</summary>
[Collection(BrowserCollection.Name)]
public sealed class BadInputPageTests(PostgresFixture postgres, ChromiumFixture chromium) : BrowserTestBase(postgres, chromium)
{
    [Fact]
    public async Task AnUploadWithNulAndLoneSurrogatesIsReportedAndThePageStaysUsable()
    {
        using var api = NewApi();
        await api.Http.PostAsync("/api/models/demo", null);
        var page = await NewPageAsync();
        await GotoAsync(page, "/experiments/new");
        await page.GetByRole(AriaRole.Radio, new() { Name = "FIGA: fine-grained quality-aware alignment" }).CheckAsync();
        await WizardSteps.ReachAsync(page, "[data-testid='dataset-upload']");
        const string good = """{"instruction":"What is the capital of Japan?","output":"Tokyo.","original_output":"Rome.","revised_output":"Tokyo."}""";
        var file = string.Join('\n', good, good.Replace("Tokyo.\",\"original", "To\\u0000kyo.\",\"original"), good.Replace("Rome.", "Ro\\ud800me."));
        await UploadPanel.ChooseFileAsync(page, new FilePayload { Name = "bad.jsonl", MimeType = "application/json", Buffer = Encoding.UTF8.GetBytes(file) });
        await page.Locator("#upload-dataset").ClickAsync();
        await Assertions.Expect(page.Locator("#upload-errors [data-field='line 2.output']")).ToContainTextAsync("NUL");
        await Assertions.Expect(page.Locator("#upload-errors [data-field='line 3.original_output']")).ToContainTextAsync("lone surrogate");
        await Assertions.Expect(page.Locator("#page-error")).ToHaveCountAsync(0);
        Assert.Equal("[]", (await api.Http.GetStringAsync("/api/datasets")).Trim());

        // The circuit is alive: the wizard still moves on and reviews.
        await WizardSteps.ReviewAsync(page);
        await Assertions.Expect(page.Locator("#review-spec")).ToContainTextAsync("\"method\": \"figa\"");
        await page.ScreenshotAsync(new() { Path = Path.Combine(ChromiumFixture.ScreenshotDirectory, "bad-upload.png"), FullPage = true });
    }
}
