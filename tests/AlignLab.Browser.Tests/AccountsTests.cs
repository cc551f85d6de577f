using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AlignLab.Testing;
using Microsoft.Playwright;

namespace AlignLab.Browser.Tests;

/// <summary>Signing in and out, an admin adding a reviewer, what a reviewer sees, an API key made on the account page, and
/// the admin disabling, enabling, re-passwording and deleting the account there.</summary>
[Collection(BrowserCollection.Name)]
public sealed class AccountsTests(PostgresFixture postgres, ChromiumFixture chromium) : BrowserTestBase(postgres, chromium)
{
    [Fact]
    public async Task ASignedOutVisitorSignsInAndLandsWhereTheyWereGoing()
    {
        var page = await (await NewSignedOutContextAsync()).NewPageAsync();
        await page.GotoAsync(Base + "/runs");
        await page.WaitForURLAsync(new Regex("/login\\?"));

        await page.FillAsync("#login-name", Web.Admin.Name);
        await page.FillAsync("#login-password", "not the password");
        await page.ClickAsync("#login-submit");
        await Assertions.Expect(page.Locator("#login-error")).ToContainTextAsync("Wrong name or password");

        await page.FillAsync("#login-name", Web.Admin.Name);
        await page.FillAsync("#login-password", Web.Admin.Password);
        await page.ClickAsync("#login-submit");
        await page.WaitForURLAsync(new Regex("/runs$"));
        await page.Locator("[data-interactive='true']").WaitForAsync();
        await Assertions.Expect(page.Locator("#account-link")).ToContainTextAsync("admin (admin)");

        await page.ClickAsync("#sign-out");
        await page.WaitForURLAsync(new Regex("/login"));
        await page.GotoAsync(Base + "/runs");
        await page.WaitForURLAsync(new Regex("/login\\?"));
    }

    [Fact]
    public async Task AnAdminAddsAReviewerWhoCanBrowseButNotLaunchAndMakesAKey()
    {
        var admin = await NewPageAsync();
        await GotoAsync(admin, "/account");
        await admin.FillAsync("#user-name input", "rita");
        await admin.FillAsync("#user-password input", "a-long-password");
        await admin.Locator("#user-role .mud-select").First.ClickAsync();
        await admin.Locator(".mud-popover-open").GetByText("reviewer", new() { Exact = true }).ClickAsync();
        // The circuit holds the choice before the form is sent (a click racing it once made a researcher).
        await Assertions.Expect(admin.Locator("#user-role")).ToHaveAttributeAsync("data-role", "reviewer");
        await admin.ClickAsync("#create-user");
        await Assertions.Expect(admin.Locator("#users tr[data-user='rita']")).ToContainTextAsync("reviewer");

        var context = await NewSignedOutContextAsync();
        var reviewer = await context.NewPageAsync();
        await SignInAsync(reviewer, "rita", "a-long-password");
        await GotoAsync(reviewer, "/runs");
        await Assertions.Expect(reviewer.Locator("#account-link")).ToContainTextAsync("rita (reviewer)");
        await Assertions.Expect(reviewer.GetByText("New experiment")).ToHaveCountAsync(0);
        await Assertions.Expect(reviewer.GetByText("Jobs dashboard")).ToHaveCountAsync(0);
        await GotoAsync(reviewer, "/");
        await Assertions.Expect(reviewer.Locator("#cannot-launch")).ToBeVisibleAsync();
        await Assertions.Expect(reviewer.Locator("#start-figa")).ToHaveCountAsync(0);
        await reviewer.GotoAsync(Base + "/experiments/new");
        await reviewer.WaitForURLAsync(new Regex("/forbidden"));
        await Assertions.Expect(reviewer.Locator("#forbidden")).ToContainTextAsync("yours is reviewer");

        // A key made on the account page is shown once, and works for scripts with the reviewer's role.
        await GotoAsync(reviewer, "/account");
        await reviewer.FillAsync("#key-name input", "notebook");
        await reviewer.ClickAsync("#create-key");
        var key = (await reviewer.Locator("#new-key").TextContentAsync())!.Trim();
        Assert.StartsWith("alk_", key);
        await Assertions.Expect(reviewer.Locator("#keys tbody tr")).ToHaveCountAsync(1);
        using var script = new AlignLabApi(Base, key);
        var me = JsonNode.Parse(await script.Http.GetStringAsync("/api/me"))!;
        Assert.Equal(("rita", "reviewer"), (me["name"]!.GetValue<string>(), me["role"]!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.Forbidden, (await script.Http.PostAsync("/api/models/demo", null)).StatusCode);

        await reviewer.Locator("#keys .revoke-key").ClickAsync();
        await Assertions.Expect(reviewer.Locator("#keys tbody tr")).ToContainTextAsync("revoked");
        Assert.Equal(HttpStatusCode.Unauthorized, (await script.Http.GetAsync("/api/me")).StatusCode);

        // The admin takes access away on the same page: rita's open session ends at once.
        await GotoAsync(admin, "/account");
        var rita = admin.Locator("#users tr[data-user='rita']");
        await rita.Locator("[data-action='toggle-disabled']").ClickAsync();
        await Assertions.Expect(rita.Locator("[data-status]")).ToHaveAttributeAsync("data-status", "disabled");
        await reviewer.GotoAsync(Base + "/runs");
        await reviewer.WaitForURLAsync(new Regex("/login"));

        // Enabled again with a new password: a weak one is refused with the rule, a strong one lets her in.
        await rita.Locator("[data-action='toggle-disabled']").ClickAsync();
        await Assertions.Expect(rita.Locator("[data-status]")).ToHaveAttributeAsync("data-status", "active");
        await rita.Locator("[data-action='reset-password']").ClickAsync();
        await admin.FillAsync("#reset-password-input", "aaaaaaaaaa");
        await admin.ClickAsync("#reset-password-save");
        await Assertions.Expect(rita).ToContainTextAsync("different characters");
        await admin.FillAsync("#reset-password-input", "another-long-password");
        await admin.ClickAsync("#reset-password-save");
        await Assertions.Expect(admin.Locator("#reset-password-input")).ToHaveCountAsync(0);
        await SignInAsync(reviewer, "rita", "another-long-password");

        // Deleted: off the list; the admin's own row offers none of this.
        await rita.Locator("[data-action='delete']").ClickAsync();
        await Assertions.Expect(rita).ToHaveCountAsync(0);
        await Assertions.Expect(admin.Locator($"#users tr[data-user='{Web.Admin.Name}'] [data-action]")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task TheApiReferenceRendersTheOpenApiDocumentFromTheAppItself()
    {
        var page = await NewPageAsync();
        var offsite = new List<string>();
        page.Request += (_, request) => { if (!request.Url.StartsWith(Base)) offsite.Add(request.Url); };
        var documents = new List<string>();
        page.Response += (_, response) => { if (response.Url.Contains("openapi")) documents.Add($"{response.Status} {response.Url}"); };
        page.Console += (_, message) => documents.Add("console: " + message.Text);
        await page.GotoAsync(Base + "/reference/v1");
        // The first tag's operations are rendered at once, the others as they are scrolled to.
        try { await Assertions.Expect(page.GetByText("Create the first account, an admin").First).ToBeVisibleAsync(new() { Timeout = 30_000 }); }
        catch (PlaywrightException e) { throw new InvalidOperationException(string.Join('\n', documents.Concat(offsite)), e); }
        Assert.Contains(documents, d => d.StartsWith("200 ") && d.EndsWith("/openapi/v1.json"));
        await Assertions.Expect(page.GetByText("AlignLab API").First).ToBeVisibleAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ChromiumFixture.ScreenshotDirectory, "api-reference.png") });
        // Its code is served by AlignLab, so it works without internet (only its web fonts come from outside).
        Assert.True(offsite.All(u => u.EndsWith(".woff2")), string.Join('\n', offsite));
    }
}
