using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using AlignLab.Testing;
using Npgsql;

namespace AlignLab.Web.Tests;

/// <summary>AlignLab:Limits and path confinement: an oversized upload, a dataset with too many examples, one run too
/// many for a user, paths that leave their folders. Each is refused with a problem naming the field, and nothing is stored.
/// One web app serves the class: stored rows are counted before and after, and the run-limit test ends every run it
/// started, so the admin's two run slots are free for the next test.</summary>
[Collection(PostgresCollection.First)]
public sealed class LimitsTests(LimitsWebApp app) : IClassFixture<LimitsWebApp>
{
    private static string Line(int i) =>
        $$"""{"instruction":"Question {{i}}?","input":"","output":"Answer {{i}}.","original_output":"Wrong {{i}}.","revised_output":"Answer {{i}}."}""";

    private async Task<long> StoredRowsAsync(string table)
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT count(*) FROM {table}", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<JsonNode> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{(int)response.StatusCode} {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonNode.Parse(body)!;
    }

    [Fact]
    public async Task UploadsOverTheSizeOrLineLimitAreRefusedWith413AndStoreNothing()
    {
        await app.Api.Http.PostAsync("/api/models/demo", null);
        var datasetsBefore = await StoredRowsAsync("datasets");
        var big = string.Join('\n', Enumerable.Range(0, 20).Select(Line)); // about 2.4 kB
        Assert.True(Encoding.UTF8.GetByteCount(big) > 2000);

        var raw = await ProblemAsync(await app.Api.Http.PostAsync("/api/datasets/spa?name=big", new StringContent(big, Encoding.UTF8, "application/x-ndjson")),
            HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("MaxUploadBytes", raw["errors"]!["file"]![0]!.GetValue<string>());

        using var form = new MultipartFormDataContent { { new ByteArrayContent(Encoding.UTF8.GetBytes(big)), "file", "big.jsonl" } };
        var multipart = await ProblemAsync(await app.Api.Http.PostAsync("/api/datasets/spa?name=big", form), HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("MaxUploadBytes", multipart["errors"]!["file"]![0]!.GetValue<string>());

        // Four short lines: under the byte limit, over the line limit.
        var four = string.Join('\n', Enumerable.Range(0, 4).Select(Line));
        var lines = await ProblemAsync(await app.Api.Http.PostAsync("/api/datasets/spa?name=four", new StringContent(four, Encoding.UTF8, "application/x-ndjson")),
            HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("at most 3", lines["errors"]!["file"]![0]!.GetValue<string>());
        Assert.Equal(datasetsBefore, await StoredRowsAsync("datasets"));

        // Three lines fit.
        var three = string.Join('\n', Enumerable.Range(0, 3).Select(Line));
        Assert.Equal(HttpStatusCode.Created, (await app.Api.Http.PostAsync("/api/datasets/spa?name=three", new StringContent(three, Encoding.UTF8, "application/x-ndjson"))).StatusCode);
        Assert.Equal(datasetsBefore + 1, await StoredRowsAsync("datasets"));
    }

    [Fact]
    public async Task AUserPastTheirConcurrentRunsGets429UntilOneEnds()
    {
        var slow = new { method = "smoke", parameters = new { steps = 10_000, delay_ms = 50 } };
        var first = Guid.Parse((await app.Api.CreateRunAsync(slow))["id"]!.GetValue<string>());
        var second = Guid.Parse((await app.Api.CreateRunAsync(slow))["id"]!.GetValue<string>());
        var runsBefore = await StoredRowsAsync("runs");

        var refused = await ProblemAsync(await app.Api.Http.PostAsJsonAsync("/api/runs", slow), HttpStatusCode.TooManyRequests);
        Assert.Contains("2 queued or running runs", refused["errors"]!["runs"]![0]!.GetValue<string>());
        Assert.Equal(runsBefore, await StoredRowsAsync("runs"));
        // Retrying a finished run counts the same way: it is a new run.

        await app.Api.CancelAsync(first, TimeSpan.FromSeconds(30));
        var last = await app.Api.Http.PostAsJsonAsync("/api/runs", new { method = "smoke", parameters = new { steps = 1, delay_ms = 0 } });
        Assert.Equal(HttpStatusCode.Created, last.StatusCode);

        // Nothing left queued or running for the class's next test: the second slow run cancelled, the short one ended.
        await app.Api.CancelAsync(second, TimeSpan.FromSeconds(30));
        await app.Api.WaitForStatusAsync(Guid.Parse(JsonNode.Parse(await last.Content.ReadAsStringAsync())!["id"]!.GetValue<string>()), "Succeeded", TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task PathsThatLeaveTheirFoldersAreRefusedByName()
    {
        var datasetsBefore = await StoredRowsAsync("datasets");
        var run = Guid.Parse((await app.Api.CreateRunAsync(new { method = "smoke", parameters = new { steps = 1, delay_ms = 0 } }))["id"]!.GetValue<string>());
        await app.Api.WaitForStatusAsync(run, "Succeeded", TimeSpan.FromSeconds(30));
        var artifact = await ProblemAsync(await app.Api.Http.GetAsync($"/api/runs/{run}/artifacts/..%2F..%2F..%2Fetc%2Fpasswd"), HttpStatusCode.BadRequest);
        Assert.Contains("inside the run's artifact folder", artifact["errors"]!["path"]![0]!.GetValue<string>());

        var runsBefore = await StoredRowsAsync("runs");
        var model = await ProblemAsync(await app.Api.Http.PostAsJsonAsync("/api/runs", new { method = "sft", parameters = new { model = "../../etc" } }), HttpStatusCode.BadRequest);
        Assert.Contains("outside the model roots", model["errors"]!["parameters.model"]![0]!.GetValue<string>());
        var upload = await ProblemAsync(await app.Api.Http.PostAsync("/api/datasets/spa?name=x&model=..%2F..%2Fetc", new StringContent(Line(1), Encoding.UTF8, "application/x-ndjson")), HttpStatusCode.BadRequest);
        Assert.NotNull(upload["errors"]!["model"]);
        Assert.Equal(runsBefore, await StoredRowsAsync("runs"));
        Assert.Equal(datasetsBefore, await StoredRowsAsync("datasets"));
    }
}

/// <summary>The web app of <see cref="LimitsTests"/>: small limits, so that one test can reach each.</summary>
public sealed class LimitsWebApp(PostgresFixture postgres) : WebAppTestBase(postgres)
{
    protected override IDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["AlignLab:Limits:MaxUploadBytes"] = "2000",
        ["AlignLab:Limits:MaxDatasetLines"] = "3",
        ["AlignLab:Limits:ConcurrentRunsPerUser"] = "2",
    };
}
