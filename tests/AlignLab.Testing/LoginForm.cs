using System.Text.RegularExpressions;

namespace AlignLab.Testing;

/// <summary>Signs in through the login form as a browser does: the page's antiforgery token (and its cookie, which the
/// client's cookie container keeps) goes with the name and password.</summary>
public static partial class LoginForm
{
    /// <summary>A client that keeps cookies and does not follow redirects, as a test of sign-in needs.</summary>
    public static HttpClient Browser(string baseAddress, System.Net.CookieContainer? cookies = null) =>
        new(new HttpClientHandler { CookieContainer = cookies ?? new(), AllowAutoRedirect = false }) { BaseAddress = new Uri(baseAddress) };

    public static async Task<HttpResponseMessage> PostAsync(HttpClient browser, string name, string password, string returnUrl = "/")
    {
        var page = await browser.GetStringAsync("/login");
        var token = TokenPattern().Match(page) is { Success: true } match ? match.Groups[1].Value
            : throw new InvalidOperationException("the login page has no antiforgery token");
        return await browser.PostAsync("/auth/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["name"] = name, ["password"] = password, ["returnUrl"] = returnUrl, ["__RequestVerificationToken"] = token,
        }));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();
}
