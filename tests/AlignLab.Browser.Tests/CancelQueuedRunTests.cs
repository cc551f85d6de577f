using AlignLab.Testing;
using Microsoft.Playwright;
using Npgsql;

namespace AlignLab.Browser.Tests;

/// <summary>The run page's Cancel and the API's cancel are one command: a queued run cancelled either way ends
/// Cancelled, names who cancelled it, and its Hangfire job is deleted so no worker ever picks it up.</summary>
[Collection(BrowserCollection.Name)]
public sealed class CancelQueuedRunTests(PostgresFixture postgres, ChromiumFixture chromium) : BrowserTestBase(postgres, chromium)
{
    // No Hangfire server: launched runs stay queued.
    protected override IReadOnlyDictionary<string, string> ExtraSettings => new Dictionary<string, string> { ["AlignLab:Jobs:RunServer"] = "false" };

    [Fact]
    public async Task CancelOnThePageDeletesTheQueuedJobExactlyAsTheApiDoes()
    {
        var api = NewApi();
        var byApi = Guid.Parse((await api.CreateRunAsync(new { method = "smoke", name = "cancelled by the API" }))["id"]!.GetValue<string>());
        var byPage = Guid.Parse((await api.CreateRunAsync(new { method = "smoke", name = "cancelled on the page" }))["id"]!.GetValue<string>());
        Assert.Equal(("Enqueued", "Enqueued"), (await JobStateAsync(byApi), await JobStateAsync(byPage)));

        await api.Http.PostAsync($"/api/runs/{byApi}/cancel", null);
        var page = await NewPageAsync();
        await GotoAsync(page, $"/runs/{byPage}");
        await page.Locator("#cancel-run").ClickAsync();
        await Assertions.Expect(page.Locator("[data-status='Cancelled']")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#run-cancelled-by")).ToContainTextAsync(Web.Admin.Name);

        foreach (var id in new[] { byApi, byPage })
        {
            var run = await api.GetRunAsync(id);
            Assert.Equal(("Cancelled", Web.Admin.Name), (run["status"]!.GetValue<string>(), run["cancelledBy"]!.GetValue<string>()));
            Assert.Equal("Deleted", await JobStateAsync(id));
        }
    }

    private async Task<string> JobStateAsync(Guid run)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT j.statename FROM runs r JOIN hangfire.job j ON j.id = r.job_id::bigint WHERE r.id = @run", connection);
        command.Parameters.AddWithValue("run", run);
        return (string)(await command.ExecuteScalarAsync())!;
    }
}
