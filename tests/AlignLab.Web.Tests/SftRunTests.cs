using System.Net;
using System.Text.Json.Nodes;
using AlignLab.Testing;

namespace AlignLab.Web.Tests;

[Collection(PostgresCollection.First)]
public sealed class SftRunTests(PostgresFixture postgres) : WebAppTestBase(postgres)
{
    [Fact]
    public async Task TheDemoModelIsCreatedThroughTheApiAndAnSftRunOnItTrainsAndExports()
    {
        var created = await Api.Http.PostAsync("/api/models/demo", null);
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        var model = JsonNode.Parse(await created.Content.ReadAsStringAsync())!;
        Assert.Equal("demo-gpt2", model["name"]!.GetValue<string>());
        Assert.Equal("gpt2", model["modelType"]!.GetValue<string>());
        Assert.Contains("demo-gpt2", await Api.Http.GetStringAsync("/api/models"));

        var run = await Api.CreateRunAsync(new
        {
            method = "sft",
            parameters = new { model = "demo-gpt2", max_steps = 12, batch_size = 8, eval_every = 6, warmup_steps = 2, max_length = 96 },
        });
        var id = Guid.Parse(run["id"]!.GetValue<string>());
        await Api.WaitForStatusAsync(id, "Succeeded", TimeSpan.FromSeconds(120));

        var metrics = await Api.MetricsAsync(id);
        double[] Series(string name) => [.. metrics.Where(p => p!["name"]!.GetValue<string>() == name).Select(p => p!["value"]!.GetValue<double>())];
        Assert.Equal(12, Series("loss").Length);
        Assert.Equal(3, Series("eval_loss").Length);          // steps 0, 6, 12
        Assert.True(Series("eval_loss")[^1] < Series("eval_loss")[0]);
        Assert.True(File.Exists(Path.Combine(ArtifactRoot, "runs", id.ToString(), "export", "model.safetensors")));

        // SFT on an uploaded dataset: its instructions and outputs.
        var pool = string.Join('\n', Enumerable.Range(1, 30).Select(i => new JsonObject { ["instruction"] = $"What is {i} plus {i}?", ["output"] = $"It is {2 * i}." }.ToJsonString()));
        var upload = await Api.Http.PostAsync("/api/datasets/pool?name=sums", new StringContent(pool, System.Text.Encoding.UTF8, "application/x-ndjson"));
        Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
        var dataset = JsonNode.Parse(await upload.Content.ReadAsStringAsync())!["dataset"]!["id"]!.GetValue<string>();
        var onUpload = Guid.Parse((await Api.CreateRunAsync(new
        {
            method = "sft",
            parameters = new { model = "demo-gpt2", dataset, max_steps = 3, batch_size = 4, eval_every = 0, warmup_steps = 0, checkpoint_every = 0 },
        }))["id"]!.GetValue<string>());
        await Api.WaitForStatusAsync(onUpload, "Succeeded", TimeSpan.FromSeconds(120));
    }

    [Fact]
    public async Task AModelThatIsNotThereIsRefusedAtSubmissionAndAMissingExportFailsTheRunWithTheReason()
    {
        // A folder that does not exist is refused at submission, naming the field; so is a path out of the roots (LimitsTests).
        var refused = await Api.Http.PostAsync("/api/runs", JsonContent(new { method = "sft", parameters = new { model = "no-such-model" } }));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("no model 'no-such-model'", JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["errors"]!["parameters.model"]![0]!.GetValue<string>());

        // A run may name another run's export before it exists; if it is still missing when the run starts, the run fails.
        var export = $"runs/{Guid.NewGuid()}/export";
        var run = await Api.CreateRunAsync(new { method = "sft", parameters = new { model = export } });
        var id = Guid.Parse(run["id"]!.GetValue<string>());
        await Api.WaitForStatusAsync(id, "Failed", TimeSpan.FromSeconds(30));
        Assert.Contains("has not exported a model", (await Api.GetRunAsync(id))["error"]!.GetValue<string>());
    }

    private static StringContent JsonContent(object body) =>
        new(System.Text.Json.JsonSerializer.Serialize(body), System.Text.Encoding.UTF8, "application/json");
}
