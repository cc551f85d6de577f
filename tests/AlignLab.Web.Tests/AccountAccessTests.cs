using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AlignLab.Testing;

namespace AlignLab.Web.Tests;

/// <summary>Taking access away from a person who leaves: an admin disables an account (its cookie session and its API key
/// stop working at once on this node), enables it again, changes its role and password, and deletes it, while its runs
/// stay attributed.</summary>
[Collection(PostgresCollection.Name)]
public sealed class AccountAccessTests(PostgresFixture postgres) : WebAppTestBase(postgres)
{
    private HttpClient Browser(CookieContainer cookies) => LoginForm.Browser(BaseAddress, cookies);

    private async Task<(HttpStatusCode Login, CookieContainer Cookies)> SignInAsync(string name, string password)
    {
        var cookies = new CookieContainer();
        using var browser = Browser(cookies);
        var login = await LoginForm.PostAsync(browser, name, password);
        return (login.Headers.Location!.OriginalString == "/" ? HttpStatusCode.OK : HttpStatusCode.Forbidden, cookies);
    }

    private async Task<HttpStatusCode> MeAsync(CookieContainer cookies)
    {
        using var browser = Browser(cookies);
        return (await browser.GetAsync("/api/me")).StatusCode;
    }

    private async Task<HttpStatusCode> MeAsync(string key)
    {
        using var client = new HttpClient { BaseAddress = new Uri(BaseAddress) };
        client.DefaultRequestHeaders.Authorization = new("Bearer", key);
        return (await client.GetAsync("/api/me")).StatusCode;
    }

    [Fact]
    public async Task ADisabledAccountsSessionAndKeyStopAtOnceAndADeletedOnesRunsStayAttributed()
    {
        var created = await (await Api.Http.PostAsJsonAsync("/api/users", new { name = "leaver", password = "a-long-password", role = "researcher" }))
            .Content.ReadFromJsonAsync<JsonObject>();
        var id = created!["id"]!.GetValue<string>();
        var key = (await (await Api.Http.PostAsJsonAsync("/api/keys", new { name = "script", user = "leaver" })).Content.ReadFromJsonAsync<JsonObject>())!["key"]!.GetValue<string>();
        var (_, session) = await SignInAsync("leaver", "a-long-password");
        Assert.Equal(HttpStatusCode.OK, await MeAsync(session));
        Assert.Equal(HttpStatusCode.OK, await MeAsync(key));                // now cached by this node

        var disabled = await Api.Http.PatchAsJsonAsync($"/api/users/{id}", new { disabled = true });
        Assert.True((await disabled.Content.ReadFromJsonAsync<JsonObject>())!["disabled"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(session));
        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(key));
        Assert.Equal(HttpStatusCode.Forbidden, (await SignInAsync("leaver", "a-long-password")).Login);

        (await Api.Http.PatchAsJsonAsync($"/api/users/{id}", new { disabled = false, role = "reviewer", password = "another-long-password" })).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.Forbidden, (await SignInAsync("leaver", "a-long-password")).Login);
        var (login, again) = await SignInAsync("leaver", "another-long-password");
        Assert.Equal(HttpStatusCode.OK, login);
        using (var browser = Browser(again))
            Assert.Equal("reviewer", (await browser.GetFromJsonAsync<JsonObject>("/api/me"))!["role"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, await MeAsync(key));                // enabled again: the key works, with the lower role

        using var keyClient = new HttpClient { BaseAddress = new Uri(BaseAddress) };
        keyClient.DefaultRequestHeaders.Authorization = new("Bearer", key);
        (await Api.Http.PatchAsJsonAsync($"/api/users/{id}", new { role = "researcher" })).EnsureSuccessStatusCode();
        var run = await (await keyClient.PostAsJsonAsync("/api/runs", new { method = "smoke", name = "theirs", parameters = new { steps = 1, delay_ms = 0 } }))
            .Content.ReadFromJsonAsync<JsonObject>();

        Assert.Equal(HttpStatusCode.NoContent, (await Api.Http.DeleteAsync($"/api/users/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(key));
        Assert.Equal(HttpStatusCode.Forbidden, (await SignInAsync("leaver", "another-long-password")).Login);
        Assert.DoesNotContain((await Api.Http.GetFromJsonAsync<JsonArray>("/api/users"))!, u => u!["name"]!.GetValue<string>() == "leaver");
        Assert.NotNull(await Api.GetRunAsync(Guid.Parse(run!["id"]!.GetValue<string>())));
        Assert.Equal(HttpStatusCode.NotFound, (await Api.Http.DeleteAsync($"/api/users/{id}")).StatusCode);
    }

    [Fact]
    public async Task AnAdminCannotDemoteDisableOrDeleteThemselves()
    {
        var me = (await Api.Http.GetFromJsonAsync<JsonObject>("/api/me"))!["id"]!.GetValue<string>();
        foreach (var (change, field) in new (object, string)[] { (new { role = "reviewer" }, "role"), (new { disabled = true }, "disabled") })
        {
            var response = await Api.Http.PatchAsJsonAsync($"/api/users/{me}", change);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.NotNull((await response.Content.ReadFromJsonAsync<JsonObject>())!["errors"]![field]);
        }
        Assert.Equal(HttpStatusCode.BadRequest, (await Api.Http.DeleteAsync($"/api/users/{me}")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Api.Http.PatchAsJsonAsync($"/api/users/{me}", new { password = "aaaaaaaaaa" })).StatusCode);
    }
}
