using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using AlignLab.Testing;

namespace AlignLab.Web.Tests;

/// <summary>An evaluation through the API: an uploaded multiple-choice set beside the demo's generation set, and the
/// results and item records in the shape scripts rely on. One web app serves the class: each test reads its own run and
/// datasets by id (the dataset list is read past the one other test's "two-items").</summary>
[Collection(PostgresCollection.Second)]
public sealed class EvaluationApiTests(SharedWebApp app) : IClassFixture<SharedWebApp>
{
    [Fact]
    public async Task AnEvaluationRunReturnsEveryModelSetAndMetricWithItsIntervalAndItsItems()
    {
        await app.Api.Http.PostAsync("/api/models/demo", null);
        var items = string.Join('\n',
            """{"prompt":"What is the capital of Peru?","choices":["The capital of Peru is Lima.","The capital of Peru is Oslo."],"answer":0,"group":"capitals"}""",
            """{"prompt":"What color is a lime?","choices":["A ripe lime is red.","A ripe lime is green.","A ripe lime is blue."],"answer":1}""");
        var upload = await app.Api.Http.PostAsync("/api/datasets/multiple-choice?name=two-items", new StringContent(items, Encoding.UTF8, "application/x-ndjson"));
        Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
        var set = JsonNode.Parse(await upload.Content.ReadAsStringAsync())!["dataset"]!["id"]!.GetValue<string>();

        var run = await app.Api.CreateRunAsync(new
        {
            method = "evaluate",
            parameters = new { models = new[] { "demo-gpt2" }, sets = new[] { set, "demo-eval-generation" }, max_new_tokens = 4, resamples = 100 },
        });
        var id = Guid.Parse(run["id"]!.GetValue<string>());
        await app.Api.WaitForStatusAsync(id, "Succeeded", TimeSpan.FromSeconds(120));

        var evaluation = JsonNode.Parse(await app.Api.Http.GetStringAsync($"/api/runs/{id}/evaluation"))!;
        var results = evaluation["results"]!.AsArray();
        var acc = results.Single(r => r!["set"]!.GetValue<string>() == set && r["metric"]!.GetValue<string>() == "acc")!;
        Assert.Equal("demo-gpt2", acc["model"]!.GetValue<string>());
        Assert.True(acc["low"]!.GetValue<double>() <= acc["value"]!.GetValue<double>() && acc["value"]!.GetValue<double>() <= acc["high"]!.GetValue<double>());
        Assert.Contains(results, r => r!["set"]!.GetValue<string>() == "demo-eval-generation" && r["metric"]!.GetValue<string>() == "self_bleu");

        var choiceItems = evaluation["items"]!.AsArray().Where(i => i!["set"]!.GetValue<string>() == set).ToList();
        Assert.Equal([0, 1], choiceItems.Select(i => i!["index"]!.GetValue<int>()).Order());
        var second = choiceItems.Single(i => i!["index"]!.GetValue<int>() == 1)!;
        var scores = second["scores"]!.AsArray().Select(s => s!.GetValue<double>()).ToList();
        Assert.Equal(3, scores.Count);
        Assert.Equal(scores.IndexOf(scores.Max()), second["prediction"]!.GetValue<int>());
        // acc counted from the items.
        Assert.Equal(choiceItems.Count(i => i!["prediction"]!.GetValue<int>() == i["answer"]!.GetValue<int>()) / 2.0, acc["value"]!.GetValue<double>(), 12);
        Assert.All(evaluation["items"]!.AsArray().Where(i => i!["set"]!.GetValue<string>() == "demo-eval-generation"),
            i => Assert.NotNull(i!["response"]));

        Assert.Equal(HttpStatusCode.NotFound, (await app.Api.Http.GetAsync($"/api/runs/{Guid.NewGuid()}/evaluation")).StatusCode);
    }

    [Fact]
    public async Task AMultipleChoiceFileWithBadItemsIsRefusedWithLineAndField()
    {
        await app.Api.Http.PostAsync("/api/models/demo", null);
        var items = string.Join('\n',
            """{"prompt":"Q1","choices":["a","b"],"answer":2}""",
            """{"prompt":"Q2","choices":[],"answer":0}""",
            """{"choices":["a","b"],"answer":1}""");
        var upload = await app.Api.Http.PostAsync("/api/datasets/multiple-choice?name=bad", new StringContent(items, Encoding.UTF8, "application/x-ndjson"));
        Assert.Equal(HttpStatusCode.BadRequest, upload.StatusCode);
        var problem = JsonNode.Parse(await upload.Content.ReadAsStringAsync())!;
        var text = problem.ToJsonString();
        Assert.Contains("out of range", text);
        Assert.Contains("at least two choices", text);
        Assert.Contains("missing", text);
        Assert.Equal(["line 1.answer", "line 2.choices", "line 3.prompt"], problem["errors"]!.AsObject().Select(e => e.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task AnEvaluationNamingNoModelOrTheSameSetTwiceIsRefusedNamingTheField()
    {
        var refused = await app.Api.Http.PostAsJsonAsync("/api/runs", new { method = "evaluate", parameters = new { models = Array.Empty<string>(), sets = new[] { "demo-eval-choices", "demo-eval-choices" } } });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var errors = JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["errors"]!.AsObject();
        Assert.Equal(["parameters.models", "parameters.sets"], errors.Select(e => e.Key).Order());
    }

    [Fact]
    public async Task ABenchmarksOwnFileIsConvertedAtUploadAndItsBadRowsAreNamedByTheirLineInThatFile()
    {
        await app.Api.Http.PostAsync("/api/models/demo", null);
        var formats = JsonNode.Parse(await app.Api.Http.GetStringAsync("/api/datasets/formats"))!.AsArray();
        Assert.Equal("multiple-choice", formats.Single(f => f!["name"]!.GetValue<string>() == "mmlu")!["kind"]!.GetValue<string>());

        // MMLU's test CSV: no header, question, four options, the answer's letter.
        var csv = "\"What is 2 + 2, in base 10?\",3,4,5,6,B\nWhich planet is largest?,Mars,Venus,Jupiter,Earth,C\n";
        var upload = await app.Api.Http.PostAsync("/api/datasets/multiple-choice?name=mmlu-two&from=mmlu", new StringContent(csv, Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
        var id = JsonNode.Parse(await upload.Content.ReadAsStringAsync())!["dataset"]!["id"]!.GetValue<string>();
        var first = JsonNode.Parse(await app.Api.Http.GetStringAsync($"/api/datasets/{id}/examples"))!.AsArray()[0]!;
        Assert.Equal("What is 2 + 2, in base 10?\nA. 3\nB. 4\nC. 5\nD. 6\nAnswer:", first["prompt"]!.GetValue<string>());
        Assert.Equal(1, first["answer"]!.GetValue<int>());

        // A bad letter on line 2, and a row too short on line 3: refused by line and the file's own column.
        var bad = "Q1,a,b,c,d,A\nQ2,a,b,c,d,E\nQ3,a,b\n";
        var refused = await app.Api.Http.PostAsync("/api/datasets/multiple-choice?name=bad&from=mmlu", new StringContent(bad, Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var errors = JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["errors"]!.AsObject();
        Assert.Equal(["line 2.answer", "line 3.$"], errors.Select(e => e.Key).Order(StringComparer.Ordinal));

        // A format of the other kind, or none known, names the parameter.
        var wrongKind = await app.Api.Http.PostAsync("/api/datasets/generation?name=x&from=mmlu", new StringContent(csv, Encoding.UTF8, "text/csv"));
        Assert.Contains("\"from\"", await wrongKind.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, wrongKind.StatusCode);
        var unknown = await app.Api.Http.PostAsync("/api/datasets/multiple-choice/validate?from=hellaswag", new StringContent(csv, Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("unknown source format 'hellaswag'", await unknown.Content.ReadAsStringAsync());
        var datasets = JsonNode.Parse(await app.Api.Http.GetStringAsync("/api/datasets"))!.AsArray();
        Assert.Equal(["mmlu-two"], datasets.Select(d => d!["name"]!.GetValue<string>()).Where(n => n != "two-items"));
    }
}
