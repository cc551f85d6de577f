using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AlignLab.Testing;

namespace AlignLab.Web.Tests;

/// <summary>Runs carry the accounts behind them, taken from the authenticated principal: who launched, cancelled and
/// retried each run. Cancelling is for the run's launcher and for admins; retrying is for anyone who may launch (the
/// retry is theirs).</summary>
[Collection(PostgresCollection.First)]
public sealed class RunProvenanceTests(PostgresFixture postgres) : WebAppTestBase(postgres)
{
    private async Task<AlignLabApi> ResearcherAsync(string name)
    {
        (await Api.Http.PostAsJsonAsync("/api/users", new { name, password = "a-long-password", role = "researcher" })).EnsureSuccessStatusCode();
        var key = await (await Api.Http.PostAsJsonAsync("/api/keys", new { name = "script", user = name })).Content.ReadFromJsonAsync<JsonObject>();
        return new AlignLabApi(BaseAddress, key!["key"]!.GetValue<string>());
    }

    private static Guid IdOf(JsonObject run) => Guid.Parse(run["id"]!.GetValue<string>());

    [Fact]
    public async Task RunsRecordWhoLaunchedCancelledAndRetriedThemAndOnlyTheLauncherOrAnAdminMayCancel()
    {
        using var rita = await ResearcherAsync("rita");
        using var rob = await ResearcherAsync("rob");
        var admin = (await Api.Http.GetFromJsonAsync<JsonObject>("/api/me"))!["name"]!.GetValue<string>();

        var launched = await rita.CreateRunAsync(new { method = "smoke", parameters = new { steps = 10_000, delay_ms = 50 } });
        var id = IdOf(launched);
        Assert.Equal("rita", launched["launchedBy"]!.GetValue<string>());

        // Another researcher may not stop rita's work: 403 naming who may, and nothing changes.
        var refused = await rob.Http.PostAsync($"/api/runs/{id}/cancel", null);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("only rita", await refused.Content.ReadAsStringAsync());
        Assert.False((await Api.GetRunAsync(id))["cancelRequested"]!.GetValue<bool>());

        Assert.Equal(HttpStatusCode.Accepted, (await rita.Http.PostAsync($"/api/runs/{id}/cancel", null)).StatusCode);
        await Api.WaitForStatusAsync(id, "Cancelled", TimeSpan.FromSeconds(15));
        Assert.Equal("rita", (await Api.GetRunAsync(id))["cancelledBy"]!.GetValue<string>());
        var history = await Api.Http.GetFromJsonAsync<JsonArray>($"/api/runs/{id}/events");
        Assert.True(history![0]!["actor"]?.GetValue<string>() == "rita", history.ToJsonString());    // launched
        // Still queued ("cancelled before it started") or already running ("cancellation requested").
        var cancelEvent = history.Single(e => e!["message"]?.GetValue<string>() is "cancellation requested" or "cancelled before it started");
        Assert.Equal("rita", cancelEvent!["actor"]!.GetValue<string>());

        // rob retries rita's run: the retry is rob's and names the run it retried; an admin may cancel anyone's.
        var retried = await (await rob.Http.PostAsync($"/api/runs/{id}/retry", null)).Content.ReadFromJsonAsync<JsonObject>();
        var retryId = IdOf(retried!);
        Assert.Equal("rob", retried!["launchedBy"]!.GetValue<string>());
        Assert.Equal(id, Guid.Parse(retried["retryOf"]!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.Accepted, (await Api.Http.PostAsync($"/api/runs/{retryId}/cancel", null)).StatusCode);
        Assert.Equal(admin, (await Api.GetRunAsync(retryId))["cancelledBy"]!.GetValue<string>());
        Assert.Null(launched["cancelledBy"]);
    }
}
