using System.Net;
using System.Text.Json.Nodes;
using AlignLab.Testing;

namespace AlignLab.Web.Tests;

/// <summary>README's run command on a machine with nothing configured: the web app brings its own
/// PostgreSQL, stops it on Ctrl+C, and finds its data again on the next start.</summary>
[Collection(PostgresCollection.Alone)]      // it starts clusters of its own, and expects one back on its old port
public sealed class EmbeddedDefaultTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"alignlab-embedded-{Guid.NewGuid():N}");

    private Task<AppProcess> StartAsync(TestAdmin? admin = null) =>
        // The demo policy's training (NewUserPathTests follows it) would only compete with this test's own run.
        AppProcess.StartWebAsync(new Dictionary<string, string> { ["AlignLab:Embedded:Root"] = _root, ["AlignLab:Models:CreateDemoPolicy"] = "false" }, admin: admin);

    [Fact]
    public async Task ServesWithItsOwnDatabaseStopsItOnCtrlCAndReusesItsDataNextTime()
    {
        Guid runId;
        int port;
        TestAdmin admin;
        await using (var web = await StartAsync())
        {
            admin = web.Admin;
            using var api = await AlignLabApi.ForAsync(web);
            Assert.StartsWith("http://127.0.0.1:", await web.ListeningAddress);
            var home = await api.Http.GetAsync("/");
            Assert.Equal(HttpStatusCode.OK, home.StatusCode);
            Assert.Contains("AlignLab", await home.Content.ReadAsStringAsync());

            // The embedded default brings its demo model without being asked.
            await Eventually.GetAsync(() => api.Http.GetStringAsync("/api/models"), body => body.Contains("demo-gpt2"),
                TimeSpan.FromSeconds(60), "the demo model in the registry");

            var run = await api.CreateRunAsync(new { method = "smoke", parameters = new { steps = 5, delay_ms = 0 } });
            runId = Guid.Parse(run["id"]!.GetValue<string>());
            await api.WaitForStatusAsync(runId, "Succeeded", TimeSpan.FromSeconds(30));
            port = JsonNode.Parse(File.ReadAllText(Path.Combine(_root, "postgres.json")))!["Port"]!.GetValue<int>();
            Assert.NotEmpty(PostgresProcesses.Of(Path.Combine(_root, "postgres")));

            web.Interrupt();
            Assert.True(await web.WaitForExitAsync(TimeSpan.FromSeconds(40)), "the web app did not exit on SIGINT:\n" + web.Output);
        }
        Assert.Empty(PostgresProcesses.Of(Path.Combine(_root, "postgres")));

        // The accounts are data too: the admin's key still works.
        await using (var again = await StartAsync(admin))
        {
            using var api = await AlignLabApi.ForAsync(again);
            Assert.Equal("Succeeded", await api.StatusAsync(runId));
            Assert.Equal(5, (await api.MetricsAsync(runId)).Count(p => !p!["name"]!.GetValue<string>().StartsWith("system/", StringComparison.Ordinal)));
            Assert.Equal(port, JsonNode.Parse(File.ReadAllText(Path.Combine(_root, "postgres.json")))!["Port"]!.GetValue<int>());
        }
        Assert.Empty(PostgresProcesses.Of(Path.Combine(_root, "postgres")));
    }

    /// <summary>README's run command is a script that becomes the app: a SIGINT sent to that one process (as a process
    /// manager or an IDE sends it, not only a terminal's Ctrl+C to the whole group) stops the app and its PostgreSQL.</summary>
    [Fact]
    public async Task TheReadmeRunScriptIsTheAppSoASigintToItStopsTheAppAndItsPostgres()
    {
        await using var web = AppProcess.StartRunScript(new Dictionary<string, string>
        {
            ["AlignLab:Embedded:Root"] = _root, ["AlignLab:Models:CreateDemoModel"] = "false", ["urls"] = "http://127.0.0.1:0",
        });
        var address = await web.ListeningAddress.WaitAsync(TimeSpan.FromSeconds(60));
        using (var http = new HttpClient()) Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"{address}/healthz")).StatusCode);
        Assert.NotEmpty(PostgresProcesses.Of(Path.Combine(_root, "postgres")));
        Assert.Contains("AlignLab.Web.dll", File.ReadAllText($"/proc/{web.Id}/cmdline"));     // the script's shell became the app

        web.Interrupt();
        Assert.True(await web.WaitForExitAsync(TimeSpan.FromSeconds(30)), "the app did not exit on SIGINT:\n" + web.Output);
        Assert.Empty(PostgresProcesses.Of(Path.Combine(_root, "postgres")));
    }

    public void Dispose()
    {
        foreach (var pid in PostgresProcesses.Of(Path.Combine(_root, "postgres")))
            try { System.Diagnostics.Process.GetProcessById(pid).Kill(); } catch (ArgumentException) { }
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
