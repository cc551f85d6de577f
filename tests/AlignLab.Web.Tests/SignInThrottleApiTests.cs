using System.Net;
using AlignLab.Testing;

namespace AlignLab.Web.Tests;

/// <summary>Password guessing through the sign-in form: after five wrong passwords even the right one is refused for a
/// while, and the page says how long (SignInThrottleTests in AlignLab.Web.Components.Tests follow the lock in time).</summary>
[Collection(PostgresCollection.Second)]
public sealed class SignInThrottleApiTests(PostgresFixture postgres) : WebAppTestBase(postgres)
{
    // A first lock long enough that a slow machine cannot outlast it between two requests.
    protected override IDictionary<string, string> Settings => new Dictionary<string, string> { ["AlignLab:Auth:SignInFirstLockSeconds"] = "60" };

    [Fact]
    public async Task TheRightPasswordAfterSixWrongOnesIsRefusedUntilTheLockEnds()
    {
        using var browser = LoginForm.Browser(BaseAddress);
        Task<HttpResponseMessage> Login(string name, string password) => LoginForm.PostAsync(browser, name, password);

        for (int i = 0; i < 6; i++)
            Assert.Contains("error=credentials", (await Login(Web.Admin.Name, "wrong-password-" + i)).Headers.Location!.OriginalString);
        var refused = (await Login(Web.Admin.Name, Web.Admin.Password)).Headers.Location!.OriginalString;
        Assert.Contains("error=throttled", refused);
        Assert.Contains("wait=", refused);
        Assert.Contains("paused for", await browser.GetStringAsync(refused));

        // A name without an account is counted and refused the same way, so a guesser cannot tell it from a real one.
        for (int i = 0; i < 6; i++)
            Assert.Contains("error=credentials", (await Login("nobody", "wrong-password-" + i)).Headers.Location!.OriginalString);
        Assert.Contains("error=throttled", (await Login("nobody", "wrong-password")).Headers.Location!.OriginalString);
    }
}
