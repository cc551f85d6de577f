using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using AlignLab.Testing;

namespace AlignLab.Browser.Tests;

/// <summary>A page served from another origin of the same host (another port: same site, so the session cookie rides
/// along) makes a signed-in admin's browser post a run and a dataset, as a cross-site request forgery would: both are
/// refused and nothing is stored, while the app's own pages still change state.</summary>
[Collection(BrowserCollection.Name)]
public sealed class CrossSiteRequestTests(PostgresFixture postgres, ChromiumFixture chromium) : BrowserTestBase(postgres, chromium)
{
    [Fact]
    public async Task APageOfAnotherOriginCannotChangeStateWithTheSignedInUsersCookie()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var foreign = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
        var page = $$"""
            <!doctype html><title>waiting</title><script>
            const run = fetch('{{Base}}/api/runs', { method: 'POST', mode: 'no-cors', credentials: 'include',
              body: JSON.stringify({ method: 'smoke', name: 'forged', parameters: { steps: 1, delay_ms: 0 } }) });
            const upload = fetch('{{Base}}/api/datasets/spa?name=forged', { method: 'POST', mode: 'no-cors', credentials: 'include',
              body: '{"instruction":"Q?","output":"A.","original_output":"B.","revised_output":"A."}' });
            Promise.allSettled([run, upload]).then(() => document.title = 'sent');
            </script>
            """;
        var serving = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync();
            using var stream = client.GetStream();
            var buffer = new byte[8192];
            await stream.ReadAsync(buffer);
            var body = Encoding.UTF8.GetBytes(page);
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n"));
            await stream.WriteAsync(body);
        });

        var context = await NewContextAsync();
        var attacker = await context.NewPageAsync();
        await attacker.GotoAsync(foreign);
        await attacker.WaitForFunctionAsync("document.title === 'sent'");
        await serving;
        listener.Stop();

        using var api = NewApi();
        var runs = JsonNode.Parse(await api.Http.GetStringAsync("/api/runs"))!["items"]!.AsArray();
        Assert.DoesNotContain(runs, r => r!["name"]!.GetValue<string>() == "forged");
        var datasets = JsonNode.Parse(await api.Http.GetStringAsync("/api/datasets"))!.AsArray();
        Assert.DoesNotContain(datasets, d => d!["name"]!.GetValue<string>() == "forged");

        // The same request from the app's own page, as JSON, is the user's own and goes through.
        var own = await context.NewPageAsync();
        await GotoAsync(own, "/runs");
        var status = await own.EvaluateAsync<int>("""
            async () => (await fetch('/api/runs', { method: 'POST', headers: { 'Content-Type': 'application/json' },
              body: JSON.stringify({ method: 'smoke', name: 'own', parameters: { steps: 1, delay_ms: 0 } }) })).status
            """);
        Assert.Equal(201, status);
    }
}
