using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using AlignLab.Testing;

namespace AlignLab.Web.Tests;

/// <summary>An evaluation through the API: an uploaded multiple-choice set beside the demo's generation set, and the
/// results and item records in the shape scripts rely on.</summary>
[Collection(PostgresCollection.Name)]
public sealed class EvaluationApiTests(PostgresFixture postgres) : WebAppTestBase(postgres)
{
    [Fact]
    public async Task AnEvaluationRunReturnsEveryModelSetAndMetricWithItsIntervalAndItsItems()
    {
        await Api.Http.PostAsync("/api/models/demo", null);
        var items = string.Join('\n',
            """{"prompt":"What is the capital of Peru?","choices":["The capital of Peru is Lima.","The capital of Peru is Oslo."],"answer":0,"group":"capitals"}""",
            """{"prompt":"What color is a lime?","choices":["A ripe lime is red.","A ripe lime is green.","A ripe lime is blue."],"answer":1}""");
        var upload = await Api.Http.PostAsync("/api/datasets/multiple-choice?name=two-items", new StringContent(items, Encoding.UTF8, "application/x-ndjson"));
        Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
        var set = JsonNode.Parse(await upload.Content.ReadAsStringAsync())!["dataset"]!["id"]!.GetValue<string>();

        var run = await Api.CreateRunAsync(new
        {
            method = "evaluate",
            parameters = new { models = new[] { "demo-gpt2" }, sets = new[] { set, "demo-eval-generation" }, max_new_tokens = 4, resamples = 100 },
        });
        var id = Guid.Parse(run["id"]!.GetValue<string>());
        await Api.WaitForStatusAsync(id, "Succeeded", TimeSpan.FromSeconds(120));

        var evaluation = JsonNode.Parse(await Api.Http.GetStringAsync($"/api/runs/{id}/evaluation"))!;
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

        Assert.Equal(HttpStatusCode.NotFound, (await Api.Http.GetAsync($"/api/runs/{Guid.NewGuid()}/evaluation")).StatusCode);
    }

    [Fact]
    public async Task AMultipleChoiceFileWithBadItemsIsRefusedWithLineAndField()
    {
        await Api.Http.PostAsync("/api/models/demo", null);
        var items = string.Join('\n',
            """{"prompt":"Q1","choices":["a","b"],"answer":2}""",
            """{"prompt":"Q2","choices":[],"answer":0}""",
            """{"choices":["a","b"],"answer":1}""");
        var upload = await Api.Http.PostAsync("/api/datasets/multiple-choice?name=bad", new StringContent(items, Encoding.UTF8, "application/x-ndjson"));
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
        var refused = await Api.Http.PostAsJsonAsync("/api/runs", new { method = "evaluate", parameters = new { models = Array.Empty<string>(), sets = new[] { "demo-eval-choices", "demo-eval-choices" } } });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var errors = JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["errors"]!.AsObject();
        Assert.Equal(["parameters.models", "parameters.sets"], errors.Select(e => e.Key).Order());
    }
}
