using Microsoft.Playwright;

namespace AlignLab.Browser.Tests;

/// <summary>Debian's chromium driven by Playwright (Playwright's own browser download cannot work here).
/// The executable is /usr/bin/chromium unless ALIGNLAB_CHROMIUM names another.</summary>
public sealed class ChromiumFixture : IAsyncLifetime
{
    public IPlaywright Playwright { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Screenshots go beside the test results (scripts/test.sh sets ALIGNLAB_SCREENSHOTS to
    /// TestResults/screenshots), else beside the test assembly.</summary>
    public static string ScreenshotDirectory { get; } = Directory.CreateDirectory(
        Environment.GetEnvironmentVariable("ALIGNLAB_SCREENSHOTS") ?? Path.Combine(AppContext.BaseDirectory, "screenshots")).FullName;

    public async Task InitializeAsync()
    {
        var executable = Environment.GetEnvironmentVariable("ALIGNLAB_CHROMIUM") ?? "/usr/bin/chromium";
        if (!File.Exists(executable))
            throw new InvalidOperationException($"{executable} not found: install Debian's chromium (apt-get install chromium); .ci/run does.");
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = executable,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync"],
        });
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        Playwright.Dispose();
    }
}
