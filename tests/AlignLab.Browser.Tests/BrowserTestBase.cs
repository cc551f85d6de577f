using AlignLab.Testing;
using Microsoft.Playwright;

namespace AlignLab.Browser.Tests;

/// <summary>What every browser test starts from: the web app on a fresh database, with its own temporary artifacts
/// and models folders (no demo model unless <see cref="CreateDemoModel"/> says so), and browser contexts at a
/// 1366×900 viewport that are disposed with the test, before the web app.</summary>
public abstract class BrowserTestBase(PostgresFixture postgres, ChromiumFixture chromium) : IAsyncLifetime
{
    private static readonly IReadOnlyDictionary<string, string> NoSettings = new Dictionary<string, string>();

    private readonly List<IBrowserContext> _contexts = [];
    private AppProcess? _web;
    private string? _artifacts;
    private string? _models;

    /// <summary>The web app, started by <see cref="InitializeAsync"/>.</summary>
    protected AppProcess Web => _web ?? throw new InvalidOperationException("the web app has not been started");

    /// <summary>The address the web app listens on, e.g. http://127.0.0.1:12345 (no trailing slash).</summary>
    protected string Base { get; private set; } = "";

    /// <summary>The web app's artifacts root: a temporary folder of this test's own.</summary>
    protected string Artifacts => _artifacts ??= Directory.CreateTempSubdirectory($"alignlab-{GetType().Name}-artifacts-").FullName;

    /// <summary>The web app's models root: a temporary folder of this test's own.</summary>
    protected string Models => _models ??= Directory.CreateTempSubdirectory($"alignlab-{GetType().Name}-models-").FullName;

    /// <summary>The web app's database.</summary>
    protected string ConnectionString { get; private set; } = "";

    /// <summary>Whether the web app makes the demo model at start-up.</summary>
    protected virtual bool CreateDemoModel => false;

    /// <summary>Settings added to (or replacing) the usual ones when the web app starts.</summary>
    protected virtual IReadOnlyDictionary<string, string> ExtraSettings => NoSettings;

    public virtual async Task InitializeAsync()
    {
        ConnectionString = await postgres.CreateDatabaseAsync(migrate: false);
        var settings = new Dictionary<string, string>
        {
            ["ConnectionStrings:AlignLab"] = ConnectionString,
            ["AlignLab:Artifacts:Root"] = Artifacts,
            ["AlignLab:Models:Roots:0"] = Models,
            ["AlignLab:Models:CreateDemoModel"] = CreateDemoModel ? "true" : "false",
        };
        foreach (var (key, value) in ExtraSettings) settings[key] = value;
        _web = await AppProcess.StartWebAsync(settings);
        Base = await _web.ListeningAddress;
    }

    public virtual async Task DisposeAsync()
    {
        try
        {
            foreach (var context in _contexts) await context.DisposeAsync();
            _contexts.Clear();
        }
        finally
        {
            if (_web is not null) await _web.DisposeAsync();
        }
    }

    /// <summary>A REST client acting as the web app's admin.</summary>
    protected AlignLabApi NewApi() => new(Base, Web.Admin.ApiKey);

    /// <summary>The demo model, and a short SFT run of it at a high learning rate (so its export differs visibly) that has
    /// succeeded: the run's id.</summary>
    protected static async Task<Guid> TunedDemoModelAsync(AlignLabApi api, int steps)
    {
        await api.Http.PostAsync("/api/models/demo", null);
        var sft = Guid.Parse((await api.CreateRunAsync(new { method = "sft", parameters = new { model = "demo-gpt2", max_steps = steps, batch_size = 8, eval_every = 0, learning_rate = 1e-3 } }))["id"]!.GetValue<string>());
        await api.WaitForStatusAsync(sft, "Succeeded", TimeSpan.FromSeconds(120));
        return sft;
    }

    /// <summary>A new browser context (1366×900 unless told otherwise) signed in as the admin through the login page,
    /// disposed with the test.</summary>
    protected async Task<IBrowserContext> NewContextAsync(int width = 1366, int height = 900)
    {
        var context = await NewSignedOutContextAsync(width, height);
        var page = await context.NewPageAsync();
        await SignInAsync(page, Web.Admin.Name, Web.Admin.Password);
        await page.CloseAsync();
        return context;
    }

    /// <summary>A new browser context with no session, disposed with the test.</summary>
    protected async Task<IBrowserContext> NewSignedOutContextAsync(int width = 1366, int height = 900)
    {
        var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = width, Height = height } });
        _contexts.Add(context);
        return context;
    }

    /// <summary>Signs in on the login page as a person does, and waits for the page it leads to.</summary>
    protected async Task SignInAsync(IPage page, string name, string password)
    {
        await page.GotoAsync(Base + "/login");
        await page.FillAsync("#login-name", name);
        await page.FillAsync("#login-password", password);
        await page.ClickAsync("#login-submit");
        await page.WaitForURLAsync(url => !url.Contains("/login"));
    }

    /// <summary>A new page in a context of its own (1366×900 unless told otherwise), disposed with the test.</summary>
    protected async Task<IPage> NewPageAsync(int width = 1366, int height = 900)
    {
        var context = await NewContextAsync(width, height);
        return await context.NewPageAsync();
    }

    /// <summary>Opens <paramref name="path"/> (from the site's root, e.g. "/runs") and waits until Blazor made the page interactive.</summary>
    protected async Task GotoAsync(IPage page, string path)
    {
        await page.GotoAsync(Base + path);
        await page.Locator("[data-interactive='true']").WaitForAsync();
    }
}
