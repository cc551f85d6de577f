using System.Net;
using AlignLab.Testing;

namespace AlignLab.Web.Tests;

/// <summary>Signing out ends the session: the same cookie, replayed after POST /auth/logout, is refused.</summary>
[Collection(PostgresCollection.Second)]
public sealed class SessionTests(PostgresFixture postgres) : WebAppTestBase(postgres)
{
    private HttpClient Browser(CookieContainer cookies) => LoginForm.Browser(BaseAddress, cookies);

    private async Task<CookieContainer> SignInAsync()
    {
        var cookies = new CookieContainer();
        using var browser = Browser(cookies);
        var login = await LoginForm.PostAsync(browser, Web.Admin.Name, Web.Admin.Password);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Equal("/", login.Headers.Location!.OriginalString);
        return cookies;
    }

    [Fact]
    public async Task ACookieReplayedAfterSignOutIsRefused()
    {
        var cookies = await SignInAsync();
        var other = await SignInAsync();                                   // the same person in a second browser
        var stolen = cookies.GetCookieHeader(new Uri(BaseAddress));
        using (var browser = Browser(cookies))
        {
            Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/me")).StatusCode);
            Assert.Equal(HttpStatusCode.Redirect, (await browser.PostAsync("/auth/logout", null)).StatusCode);
        }

        using var replay = new HttpClient { BaseAddress = new Uri(BaseAddress) };
        replay.DefaultRequestHeaders.Add("Cookie", stolen);
        Assert.Equal(HttpStatusCode.Unauthorized, (await replay.GetAsync("/api/me")).StatusCode);
        using var second = Browser(other);
        Assert.Equal(HttpStatusCode.Unauthorized, (await second.GetAsync("/api/me")).StatusCode);   // signed out everywhere
        Assert.Equal(HttpStatusCode.OK, (await Api.Http.GetAsync("/api/me")).StatusCode);           // API keys are not sessions
        using var again = Browser(await SignInAsync());
        Assert.Equal(HttpStatusCode.OK, (await again.GetAsync("/api/me")).StatusCode);
    }
}
