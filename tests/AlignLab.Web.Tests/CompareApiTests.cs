using System.Net;
using System.Text.Json.Nodes;
using AlignLab.Testing;

namespace AlignLab.Web.Tests;

/// <summary>/api/runs/compare: two smoke runs side by side, their final metrics as JSON and CSV, and bad id lists refused
/// with the field named. One web app serves the class: each test compares only the runs it made.</summary>
[Collection(PostgresCollection.Second)]
public sealed class CompareApiTests(SharedWebApp app) : IClassFixture<SharedWebApp>
{
    private async Task<Guid> SmokeAsync(string name, double initialLoss)
    {
        var run = await app.Api.CreateRunAsync(new { method = "smoke", name, parameters = new { steps = 6, delay_ms = 0, initial_loss = initialLoss, decay = 0.5 } });
        var id = Guid.Parse(run["id"]!.GetValue<string>());
        await app.Api.WaitForStatusAsync(id, "Succeeded", TimeSpan.FromSeconds(60));
        return id;
    }

    [Fact]
    public async Task TwoRunsFinalMetricsComeSideBySideAsJsonAndCsv()
    {
        var a = await SmokeAsync("fast, \"a\"", 2);
        var b = await SmokeAsync("b", 4);
        var compared = JsonNode.Parse(await app.Api.Http.GetStringAsync($"/api/runs/compare?ids={a},{b}"))!.AsArray();
        Assert.Equal([a.ToString(), b.ToString()], compared.Select(r => r!["id"]!.GetValue<string>()));
        // loss = initial · exp(−0.5 · step); the last step is 6.
        Assert.Equal(6, compared[0]!["final"]!["loss"]!["step"]!.GetValue<long>());
        Assert.Equal(2 * Math.Exp(-3), compared[0]!["final"]!["loss"]!["value"]!.GetValue<double>(), 9);
        Assert.Equal(4 * Math.Exp(-3), compared[1]!["final"]!["loss"]!["value"]!.GetValue<double>(), 9);

        var csv = await app.Api.Http.GetAsync($"/api/runs/compare.csv?ids={a},{b}");
        Assert.Equal("text/csv", csv.Content.Headers.ContentType!.MediaType);
        var lines = (await csv.Content.ReadAsStringAsync()).TrimEnd('\n').Split('\n');
        Assert.Equal("run_id,run_name,method,status,metric,step,value", lines[0]);
        Assert.Contains($"{a},\"fast, \"\"a\"\"\",smoke,Succeeded,loss,6,", lines[1]);
        // The method's one metric per run; the worker's system/ measurements come beside it.
        static bool Method(string line) => !line.Contains(",system/", StringComparison.Ordinal);
        Assert.Equal(3, lines.Count(Method));
        Assert.Contains(lines, l => l.Contains(",system/rss_mb,", StringComparison.Ordinal));
        var all = (await app.Api.Http.GetStringAsync($"/api/runs/compare.csv?ids={a},{b}&points=all")).TrimEnd('\n').Split('\n');
        Assert.Equal(1 + 2 * 6, all.Count(Method));
    }

    [Theory]
    [InlineData("", "give 1 to 10 run ids")]
    [InlineData("not-a-guid", "'not-a-guid' is not a run id")]
    [InlineData("00000000-0000-0000-0000-000000000001", "no run 00000000-0000-0000-0000-000000000001")]
    public async Task BadIdListsAreRefusedNamingTheField(string ids, string error)
    {
        var response = await app.Api.Http.GetAsync($"/api/runs/compare?ids={ids}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Contains(error, problem["errors"]!["ids"]![0]!.GetValue<string>());
        var csv = await app.Api.Http.GetAsync($"/api/runs/compare.csv?ids={ids}&points=some");
        Assert.Equal(HttpStatusCode.BadRequest, csv.StatusCode);
        Assert.Contains("points", await csv.Content.ReadAsStringAsync());
    }
}
