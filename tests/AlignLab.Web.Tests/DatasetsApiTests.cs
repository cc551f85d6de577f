using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AlignLab.Testing;
using Npgsql;

namespace AlignLab.Web.Tests;

/// <summary>Dataset uploads: SPA pairs and minimal edits imported with their statistics and trained on by FIGA, malformed
/// files refused by line and field with nothing stored, and files checked without storing them. One web app serves the
/// class: each test reads its own datasets and runs by id, and counts stored rows before and after.</summary>
[Collection(PostgresCollection.Second)]
public sealed class DatasetsApiTests(SharedWebApp app) : IClassFixture<SharedWebApp>
{
    private static string Record(string country, string wrong, string right) =>
        $$"""{"instruction":"What is the capital of {{country}}?","input":"","output":"The capital of {{country}} is {{right}}.","original_output":"The capital of {{country}} is {{wrong}}.","revised_output":"The capital of {{country}} is {{right}}."}""";

    private static readonly string SpaFile = string.Join('\n', Enumerable.Range(0, 40).Select(i => i % 2 == 0
        ? Record("Japan", "Rome", "Tokyo") : Record("Peru", "Oslo", "Lima")));

    private Task<HttpResponseMessage> Upload(string content, string query) =>
        app.Api.Http.PostAsync($"/api/datasets/spa?{query}", new StringContent(content, Encoding.UTF8, "application/x-ndjson"));

    private async Task<long> DatasetRows()
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT (SELECT count(*) FROM datasets) + (SELECT count(*) FROM dataset_examples)", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task AnSpaFileIsImportedWithStatisticsAndAFigaRunTrainsOnIt()
    {
        await app.Api.Http.PostAsync("/api/models/demo", null);
        var response = await Upload(SpaFile, "name=capitals");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var dataset = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["dataset"]!;
        Assert.Equal(40, dataset["exampleCount"]!.GetValue<int>());
        var stats = dataset["stats"]!["stats"]!;
        Assert.Equal(40, stats["count"]!.GetValue<int>());
        Assert.True(stats["meanEditOpsOriginalToRevised"]!.GetValue<double>() >= 1);
        Assert.Equal(stats["meanEditOpsOriginalToRevised"]!.GetValue<double>(), stats["meanEditOpsOriginalToOutput"]!.GetValue<double>());

        var id = dataset["id"]!.GetValue<string>();
        var examples = JsonNode.Parse(await app.Api.Http.GetStringAsync($"/api/datasets/{id}/examples?limit=2"))!.AsArray();
        Assert.Equal("The capital of Japan is Rome.", examples[0]!["original_output"]!.GetValue<string>());

        var run = await app.Api.CreateRunAsync(new { method = "figa", parameters = new { dataset = id, max_steps = 4, batch_size = 4, grad_accum = 1, eval_fraction = 0.1 } });
        var runId = Guid.Parse(run["id"]!.GetValue<string>());
        await app.Api.WaitForStatusAsync(runId, "Succeeded", TimeSpan.FromSeconds(120));
        Assert.Equal(4, File.ReadAllLines(Path.Combine(app.ArtifactRoot, "runs", runId.ToString(), "token_weights.jsonl")).Length);
        Assert.Contains((await app.Api.MetricsAsync(runId)), p => p!["name"]!.GetValue<string>() == "bad_tokens_kept");
    }

    [Fact]
    public async Task AMalformedFileIsRejectedWithLineAndFieldAndNothingIsStored()
    {
        await app.Api.Http.PostAsync("/api/models/demo", null);
        var before = await DatasetRows();
        var bad = SpaFile + "\n" + """{"instruction":"x","output":"y","revised_output":"z"}""" + "\n{oops";

        var response = await Upload(bad, "name=broken");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var errors = problem["errors"]!.AsObject();
        Assert.Equal(["line 41.original_output", "line 42.$"], errors.Select(e => e.Key).Order());
        Assert.Contains("nothing was stored", problem["title"]!.GetValue<string>());
        Assert.Equal(before, await DatasetRows());

        var skipped = await Upload(bad, "name=partial&skipBadLines=true");
        Assert.Equal(HttpStatusCode.Created, skipped.StatusCode);
        var body = JsonNode.Parse(await skipped.Content.ReadAsStringAsync())!;
        Assert.Equal(40, body["dataset"]!["exampleCount"]!.GetValue<int>());
        Assert.Equal(2, body["skippedLines"]!.GetValue<int>());
    }

    [Fact]
    public async Task UploadsNameTheirBadParameters()
    {
        var response = await Upload("", "model=../../etc");
        var errors = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errors"]!.AsObject();
        Assert.Equal(["file", "model", "name"], errors.Select(e => e.Key).Order());
    }

    [Fact]
    public async Task MinimalEditsAreImportedUnderTheirOwnFieldNamesAndFigaTrainsOnThem()
    {
        await app.Api.Http.PostAsync("/api/models/demo", null);
        var edits = string.Join('\n', Enumerable.Range(0, 20).Select(i => new JsonObject
        {
            ["prompt"] = "What is the capital of Japan?", ["original"] = "The capital of Japan is Rome.", ["edited"] = "The capital of Japan is Tokyo.",
        }.ToJsonString()));
        var response = await app.Api.Http.PostAsync("/api/datasets/edits?name=fixes", new StringContent(edits, Encoding.UTF8, "application/x-ndjson"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var dataset = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["dataset"]!;
        Assert.Equal("edits", dataset["kind"]!.GetValue<string>());
        Assert.True(dataset["stats"]!["stats"]!["meanEditOps"]!.GetValue<double>() >= 1);
        var id = dataset["id"]!.GetValue<string>();
        var example = JsonNode.Parse(await app.Api.Http.GetStringAsync($"/api/datasets/{id}/examples?limit=1"))!.AsArray().Single()!.AsObject();
        Assert.Equal(["edited", "input", "original", "prompt", "query_type"], example.Select(p => p.Key).Order());

        // FIGA takes (initial, revised) pairs from any kind that has them; an instance pool has none.
        var run = await app.Api.CreateRunAsync(new { method = "figa", parameters = new { dataset = id, max_steps = 2, batch_size = 4, eval_fraction = 0.1, checkpoint_every = 0 } });
        await app.Api.WaitForStatusAsync(Guid.Parse(run["id"]!.GetValue<string>()), "Succeeded", TimeSpan.FromSeconds(120));
    }

    [Fact]
    public async Task AMalformedPreferenceFileNamesTheLineAndFieldOfEveryError()
    {
        await app.Api.Http.PostAsync("/api/models/demo", null);
        var before = await DatasetRows();
        var file = """{"prompt":"p","chosen":"a","rejected":"b"}""" + "\n" + """{"prompt":"p","chosen":3,"rejected":""}""";
        var response = await app.Api.Http.PostAsync("/api/datasets/preference?name=bad", new StringContent(file, Encoding.UTF8, "application/x-ndjson"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(["line 2.chosen", "line 2.rejected"], problem["errors"]!.AsObject().Select(e => e.Key).Order());
        Assert.StartsWith("The preference file has 1 bad record(s)", problem["title"]!.GetValue<string>());    // one line, two problems
        Assert.Equal(before, await DatasetRows());
    }

    [Fact]
    public async Task AFileCanBeCheckedWithoutStoringIt()
    {
        await app.Api.Http.PostAsync("/api/models/demo", null);
        var before = await DatasetRows();
        var file = SpaFile + "\n" + """{"instruction":"Why?","input":"","output":"Because.","original_output":"","revised_output":"Because."}""";
        var response = await app.Api.Http.PostAsync("/api/datasets/spa/validate", new StringContent(file, Encoding.UTF8, "application/x-ndjson"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var report = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.False(report["valid"]!.GetValue<bool>());
        Assert.Equal((40, 1), (report["examples"]!.GetValue<int>(), report["badLines"]!.GetValue<int>()));
        Assert.Equal("line 41, original_output: empty", report["problems"]![0]!.GetValue<string>());
        Assert.Equal(40, report["stats"]!["count"]!.GetValue<int>());

        var good = JsonNode.Parse(await (await app.Api.Http.PostAsync("/api/datasets/spa/validate", new StringContent(SpaFile, Encoding.UTF8, "application/x-ndjson"))).Content.ReadAsStringAsync())!;
        Assert.True(good["valid"]!.GetValue<bool>());
        Assert.Equal(before, await DatasetRows());
    }
}
