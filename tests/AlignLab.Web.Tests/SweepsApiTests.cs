using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AlignLab.Testing;

namespace AlignLab.Web.Tests;

/// <summary>/api/sweeps: a grid launched as one sweep, all runs or none, and found again with its runs. One web app serves
/// the class: the refused sweep counts runs before and after, and makes no sweep that could come before the listed one.</summary>
[Collection(PostgresCollection.First)]
public sealed class SweepsApiTests(SharedWebApp app) : IClassFixture<SharedWebApp>
{
    [Fact]
    public async Task AGridBecomesOneSweepOfRunsThatIsListedWithTheirStatuses()
    {
        var response = await app.Api.Http.PostAsJsonAsync("/api/sweeps", new
        {
            name = "decays",
            run = new { method = "smoke", parameters = new { steps = 3, delay_ms = 0 } },
            grid = new { decay = new[] { 0.1, 0.5 }, initial_loss = new[] { 1.0, 4.0 } },
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var id = created["sweep"]!["id"]!.GetValue<string>();
        var runs = created["runs"]!.AsArray();
        Assert.Equal(["decays [decay=0.1, initial_loss=1]", "decays [decay=0.1, initial_loss=4]", "decays [decay=0.5, initial_loss=1]", "decays [decay=0.5, initial_loss=4]"],
            runs.Select(r => r!["name"]!.GetValue<string>()));
        foreach (var run in runs) await app.Api.WaitForStatusAsync(Guid.Parse(run!["id"]!.GetValue<string>()), "Succeeded", TimeSpan.FromSeconds(60));

        var detail = JsonNode.Parse(await app.Api.Http.GetStringAsync($"/api/sweeps/{id}"))!;
        Assert.Equal(4, detail["statusCounts"]!["Succeeded"]!.GetValue<int>());
        Assert.Equal([0.1, 0.5], detail["sweep"]!["grid"]!["decay"]!.AsArray().Select(v => v!.GetValue<double>()));
        // Each run's final loss is initial · e^(−decay · 3), so the grid's corners differ as the parameters say.
        var final = new List<double>();
        foreach (var run in detail["runs"]!.AsArray())
            final.Add((await app.Api.MetricsAsync(Guid.Parse(run!["id"]!.GetValue<string>()))).Last(p => p!["name"]!.GetValue<string>() == "loss")!["value"]!.GetValue<double>());
        Assert.Equal([Math.Exp(-0.3), 4 * Math.Exp(-0.3), Math.Exp(-1.5), 4 * Math.Exp(-1.5)], final, (a, b) => Math.Abs(a - b) < 1e-9);

        var listed = JsonNode.Parse(await app.Api.Http.GetStringAsync("/api/sweeps"))!.AsArray();
        Assert.Equal((id, 4), (listed[0]!["id"]!.GetValue<string>(), listed[0]!["runCount"]!.GetValue<int>()));
    }

    [Fact]
    public async Task AnInvalidPointRefusesTheWholeSweepNamingThePoint()
    {
        var runsBefore = await app.Api.RunCountAsync();
        var response = await app.Api.Http.PostAsJsonAsync("/api/sweeps", new
        {
            run = new { method = "smoke", parameters = new { delay_ms = 0 } },
            grid = new { steps = new[] { 2, 0 } },
        });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errors"]!;
        Assert.StartsWith("at steps=0:", errors["parameters.steps"]![0]!.GetValue<string>());
        Assert.Equal(runsBefore, await app.Api.RunCountAsync());

        var empty = await app.Api.Http.PostAsJsonAsync("/api/sweeps", new { grid = new { } });
        var fields = JsonNode.Parse(await empty.Content.ReadAsStringAsync())!["errors"]!.AsObject().Select(e => e.Key).Order();
        Assert.Equal(["grid", "run"], fields);
    }
}
