using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AlignLab.Testing;

namespace AlignLab.Web.Tests;

/// <summary>AlignLab:Auth:FirstAdmin: a deployment nobody browses from (a container) gets its first admin from
/// configuration, who signs in on the login page; the password never reaches the log.</summary>
[Collection(PostgresCollection.First)]
public sealed partial class FirstAdminTests(PostgresFixture postgres)
{
    private async Task<AppProcess> StartAsync(string name, string password) => await AppProcess.StartWebAsync(new Dictionary<string, string>
    {
        ["ConnectionStrings:AlignLab"] = await postgres.CreateDatabaseAsync(migrate: false),
        ["AlignLab:Artifacts:Root"] = Directory.CreateTempSubdirectory("alignlab-first-admin-").FullName,
        ["AlignLab:Models:Roots:0"] = Directory.CreateTempSubdirectory("alignlab-first-admin-models-").FullName,
        ["AlignLab:Models:CreateDemoModel"] = "false",
        ["AlignLab:Auth:FirstAdmin:Name"] = name,
        ["AlignLab:Auth:FirstAdmin:Password"] = password,
    }, setUp: false);

    [Fact]
    public async Task TheConfiguredAdminExistsAfterStartAndSignsInOnTheLoginPage()
    {
        await using var web = await StartAsync("ops", "configured-password-1");
        var address = await web.ListeningAddress;
        using var http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = new Uri(address) };

        // Set-up is closed once the admin is there.
        await Eventually.GetAsync(async () => (await http.PostAsJsonAsync("/api/setup", new { name = "other", password = "a-long-password" })).StatusCode,
            s => s == HttpStatusCode.Conflict, TimeSpan.FromSeconds(15), "the configured admin");

        // The login page's form, as a browser posts it (with its antiforgery token).
        var form = await http.GetStringAsync("/login");
        var token = AntiforgeryToken().Match(form) is { Success: true } match ? match.Groups[1].Value : throw new InvalidDataException("no antiforgery token in:\n" + form);
        var login = await http.PostAsync("/auth/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["name"] = "ops", ["password"] = "configured-password-1", ["returnUrl"] = "/runs", ["__RequestVerificationToken"] = token,
        }));
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Equal("/runs", login.Headers.Location!.OriginalString);
        var me = JsonNode.Parse(await http.GetStringAsync("/api/me"))!;
        Assert.Equal(("ops", "admin", "cookie"), (me["name"]!.GetValue<string>(), me["role"]!.GetValue<string>(), me["authenticatedWith"]!.GetValue<string>()));

        Assert.Contains("Created the first admin, ops", web.Output);
        Assert.DoesNotContain("configured-password-1", web.Output);
    }

    [Fact]
    public async Task AWeakConfiguredPasswordCreatesNobodyAndSaysWhy()
    {
        await using var web = await StartAsync("ops", "short");
        await Eventually.GetAsync(() => Task.FromResult(web.Output), o => o.Contains("AlignLab:Auth:FirstAdmin:Password must be"), TimeSpan.FromSeconds(15), "the error");
        Assert.DoesNotContain("short\n", web.Output);
        using var http = new HttpClient { BaseAddress = new Uri(await web.ListeningAddress) };
        Assert.Equal(HttpStatusCode.Created, (await http.PostAsJsonAsync("/api/setup", new { name = "admin", password = "a-long-password" })).StatusCode);
    }

    [GeneratedRegex("<input[^>]*name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}
