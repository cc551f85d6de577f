using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AlignLab.Testing;

namespace AlignLab.Web.Tests;

/// <summary>AlignLab:Limits:RequestsPerMinute counts per API key: one busy key gets 429 with Retry-After, another key of
/// the same user is unaffected.</summary>
[Collection(PostgresCollection.Second)]
public sealed class RateLimitTests(PostgresFixture postgres) : WebAppTestBase(postgres)
{
    private const int PerMinute = 15;

    protected override IDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["AlignLab:Limits:RequestsPerMinute"] = PerMinute.ToString(),
    };

    private async Task<AlignLabApi> NewClientAsync(string name)
    {
        var response = await Api.Http.PostAsJsonAsync("/api/keys", new { name });
        response.EnsureSuccessStatusCode();
        return new AlignLabApi(BaseAddress, JsonNode.Parse(await response.Content.ReadAsStringAsync())!["key"]!.GetValue<string>());
    }

    [Fact]
    public async Task AKeyOverItsRateGets429WithRetryAfterWhileAnotherKeyGoesOn()
    {
        using var busy = await NewClientAsync("busy");
        using var quiet = await NewClientAsync("quiet");
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? rejected = null;
        for (int i = 0; i < PerMinute + 5; i++)
        {
            var response = await busy.Http.GetAsync("/api/methods");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests) rejected ??= response;
        }
        // The window may roll over once during the loop; at most two windows' worth pass.
        Assert.InRange(statuses.Count(s => s == HttpStatusCode.OK), PerMinute, 2 * PerMinute);
        Assert.NotNull(rejected);
        Assert.Equal("application/problem+json", rejected!.Content.Headers.ContentType?.MediaType);
        Assert.Contains($"at most {PerMinute} requests per minute", await rejected.Content.ReadAsStringAsync());
        Assert.True(rejected.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After names a wait");

        Assert.Equal(HttpStatusCode.OK, (await quiet.Http.GetAsync("/api/methods")).StatusCode);
    }
}
