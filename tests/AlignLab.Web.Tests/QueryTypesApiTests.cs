using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AlignLab.Testing;
using Reply = AlignLab.Testing.FakeChatCompletions.Reply;

namespace AlignLab.Web.Tests;

/// <summary>Query-type classification through the API: the endpoint (served on loopback by the test) labels demo-r3's
/// queries, the run reports counts and agreement with demo-r3's labels, and its labelled copy of the dataset trains an
/// R³ run with query_types=column; the local model classifies too. One web app and one endpoint serve the class: each
/// test counts the endpoint's requests from where they stood when it began, and finds its runs' datasets by run.</summary>
[Collection(PostgresCollection.Second)]
public sealed class QueryTypesApiTests(QueryTypesWebApp app) : IClassFixture<QueryTypesWebApp>
{
    private FakeChatCompletions Endpoint => app.Endpoint;

    private async Task<Guid> RunAsync(object parameters, string status, string method = "query-types")
    {
        var run = await app.Api.CreateRunAsync(new { method, parameters });
        var id = Guid.Parse(run["id"]!.GetValue<string>());
        await app.Api.WaitForStatusAsync(id, status, TimeSpan.FromSeconds(120));
        return id;
    }

    private async Task<double> MetricAsync(Guid id, string name) =>
        (await app.Api.MetricsAsync(id)).Single(p => p!["name"]!.GetValue<string>() == name)!["value"]!.GetValue<double>();

    [Fact]
    public async Task TheEndpointLabelsADatasetWhoseCopyTrainsR3WithItsColumn()
    {
        await app.Api.Http.PostAsync("/api/models/demo", null);
        var before = Endpoint.Requests.Count;
        var id = await RunAsync(new { classifier = "endpoint", endpoint_model = "gpt-4", max_instances = 40 }, "Succeeded");

        Assert.Equal(40, Endpoint.Requests.Count - before);
        Assert.All(Endpoint.Requests.Skip(before), r => Assert.Equal("gpt-4", r.Model));
        var examples = JsonNode.Parse(await app.Api.Http.GetStringAsync($"/api/datasets/{await DatasetOfAsync(id)}/examples?limit=100"))!.AsArray();
        Assert.Equal(40, examples.Count);
        var expected = examples.Select(e => e!["instruction"]!.GetValue<string>().StartsWith("Tell me something") || e["instruction"]!.GetValue<string>().Contains("color") ? "OE" : "CE").ToList();
        Assert.Equal(expected, examples.Select(e => e!["query_type"]!.GetValue<string>()));
        // Agreement with demo-r3's labels: only the closed-ended colour questions differ.
        var colourQuestions = examples.Count(e => !e!["instruction"]!.GetValue<string>().StartsWith("Tell me something") && e["instruction"]!.GetValue<string>().Contains("color"));
        Assert.True(colourQuestions > 0, "the first 40 demo records include a closed-ended colour question");
        Assert.Equal((40.0 - colourQuestions) / 40, await MetricAsync(id, "agreement"), 9);
        Assert.Equal(expected.Count(t => t == "OE"), await MetricAsync(id, "open_ended"));
        Assert.Equal(40, await MetricAsync(id, "labelled"));
        var summary = JsonNode.Parse(await app.Api.Http.GetStringAsync($"/api/runs/{id}/artifacts/query_types.json"))!;
        Assert.Equal(colourQuestions, summary["agreement"]!["confusion"]!["CE"]!["OE"]!.GetValue<int>());

        // The labelled copy is an R³ dataset: its column types every query.
        var dataset = await DatasetOfAsync(id);
        var r3 = await RunAsync(new { preset = "demo", dataset, query_types = "column", max_steps = 1, batch_size = 4, mini_batch_size = 4, ppo_epochs = 1, max_new_tokens = 6, checkpoint_every = 0 },
            "Succeeded", method: "r3-ppo");
        Assert.InRange(await MetricAsync(r3, "r3_closed_ended_share"), 0, 1);
    }

    [Fact]
    public async Task TheLocalModelClassifiesAndAnUnknownDatasetIsRefusedAtSubmissionNamingTheField()
    {
        await app.Api.Http.PostAsync("/api/models/demo", null);
        var before = Endpoint.Requests.Count;
        var id = await RunAsync(new { classifier = "model", max_instances = 6 }, "Succeeded");
        Assert.Equal(6, await MetricAsync(id, "open_ended") + await MetricAsync(id, "closed_ended"));
        Assert.Equal(before, Endpoint.Requests.Count);      // the endpoint was not asked
        var examples = JsonNode.Parse(await app.Api.Http.GetStringAsync($"/api/datasets/{await DatasetOfAsync(id)}/examples"))!.AsArray();
        Assert.All(examples, e => Assert.Contains(e!["query_type"]!.GetValue<string>(), new[] { "OE", "CE" }));

        var runs = await app.Api.RunCountAsync();
        var refused = await app.Api.Http.PostAsJsonAsync("/api/runs", new { method = "query-types", parameters = new { dataset = Guid.NewGuid().ToString(), classifier = "model" } });
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("no dataset", JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["errors"]!["parameters.dataset"]![0]!.GetValue<string>());
        Assert.Equal(runs, await app.Api.RunCountAsync());
    }

    /// <summary>The dataset a run wrote: listed with the run as its source.</summary>
    private async Task<string> DatasetOfAsync(Guid runId)
    {
        var datasets = await app.Api.Http.GetFromJsonAsync<JsonArray>("/api/datasets");
        var made = Assert.Single(datasets!, d => d!["sourceRunId"]?.GetValue<string>() == runId.ToString());
        Assert.Contains("query types from run", made!["name"]!.GetValue<string>());
        return made["id"]!.GetValue<string>();
    }
}

/// <summary>The web app of <see cref="QueryTypesApiTests"/>, with the revision endpoint the test serves on loopback.</summary>
public sealed class QueryTypesWebApp(PostgresFixture postgres) : WebAppTestBase(postgres)
{
    // demo-r3 labels "Tell me something about this: …" open-ended and the plain questions closed-ended. The endpoint
    // answers the same, except for colour questions, which it calls open-ended.
    public FakeChatCompletions Endpoint { get; } = new((prompt, _) =>
        new Reply(200, prompt.Contains("USER: Tell me something") || prompt.Contains("color") ? "OPEN-ENDED" : "CLOSED-ENDED"));

    protected override IDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["AlignLab:Revision:Endpoint"] = Endpoint.BaseAddress,
        ["AlignLab:Revision:InitialBackoffMs"] = "10",
    };

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Endpoint.Dispose();
    }
}
