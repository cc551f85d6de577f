using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AlignLab.Testing;
using Npgsql;

namespace AlignLab.Web.Tests;

[Collection(PostgresCollection.Name)]
public sealed class DatasetsApiTests(PostgresFixture postgres) : WebAppTestBase(postgres)
{
    private static string Record(string country, string wrong, string right) =>
        $$"""{"instruction":"What is the capital of {{country}}?","input":"","output":"The capital of {{country}} is {{right}}.","original_output":"The capital of {{country}} is {{wrong}}.","revised_output":"The capital of {{country}} is {{right}}."}""";

    private static readonly string SpaFile = string.Join('\n', Enumerable.Range(0, 40).Select(i => i % 2 == 0
        ? Record("Japan", "Rome", "Tokyo") : Record("Peru", "Oslo", "Lima")));

    private Task<HttpResponseMessage> Upload(string content, string query) =>
        Api.Http.PostAsync($"/api/datasets/spa?{query}", new StringContent(content, Encoding.UTF8, "application/x-ndjson"));

    private async Task<long> DatasetRows()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT (SELECT count(*) FROM datasets) + (SELECT count(*) FROM dataset_examples)", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task AnSpaFileIsImportedWithStatisticsAndAFigaRunTrainsOnIt()
    {
        await Api.Http.PostAsync("/api/models/demo", null);
        var response = await Upload(SpaFile, "name=capitals");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var dataset = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["dataset"]!;
        Assert.Equal(40, dataset["exampleCount"]!.GetValue<int>());
        var stats = dataset["stats"]!["stats"]!;
        Assert.Equal(40, stats["count"]!.GetValue<int>());
        Assert.True(stats["meanEditOpsOriginalToRevised"]!.GetValue<double>() >= 1);
        Assert.Equal(stats["meanEditOpsOriginalToRevised"]!.GetValue<double>(), stats["meanEditOpsOriginalToOutput"]!.GetValue<double>());

        var id = dataset["id"]!.GetValue<string>();
        var examples = JsonNode.Parse(await Api.Http.GetStringAsync($"/api/datasets/{id}/examples?limit=2"))!.AsArray();
        Assert.Equal("The capital of Japan is Rome.", examples[0]!["originalOutput"]!.GetValue<string>());

        var run = await Api.CreateRunAsync(new { method = "figa", parameters = new { dataset = id, max_steps = 4, batch_size = 4, grad_accum = 1, eval_fraction = 0.1 } });
        var runId = Guid.Parse(run["id"]!.GetValue<string>());
        await Api.WaitForStatusAsync(runId, "Succeeded", TimeSpan.FromSeconds(120));
        Assert.Equal(4, File.ReadAllLines(Path.Combine(ArtifactRoot, "runs", runId.ToString(), "token_weights.jsonl")).Length);
        Assert.Contains((await Api.MetricsAsync(runId)), p => p!["name"]!.GetValue<string>() == "bad_tokens_kept");
    }

    [Fact]
    public async Task AMalformedFileIsRejectedWithLineAndFieldAndNothingIsStored()
    {
        await Api.Http.PostAsync("/api/models/demo", null);
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
}
