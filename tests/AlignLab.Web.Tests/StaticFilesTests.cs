using System.Net;
using AlignLab.Testing;

namespace AlignLab.Web.Tests;

/// <summary>The login and set-up pages need their stylesheet and icon before anyone has signed in: static files are served
/// to anonymous visitors, while pages still ask them to sign in.</summary>
[Collection(PostgresCollection.First)]
public sealed class StaticFilesTests(PostgresFixture postgres) : WebAppTestBase(postgres)
{
    [Fact]
    public async Task TheStylesheetAndIconAreServedWithoutSigningIn()
    {
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(BaseAddress) };
        var css = await anonymous.GetAsync("/app.css");
        Assert.Equal(HttpStatusCode.OK, css.StatusCode);
        Assert.Equal("text/css", css.Content.Headers.ContentType!.MediaType);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/favicon.svg")).StatusCode);
        var page = await anonymous.GetAsync("/runs");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.StartsWith("/login", page.Headers.Location!.AbsolutePath);
    }
}
