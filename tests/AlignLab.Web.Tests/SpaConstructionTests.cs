using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using AlignLab.Core.Tokenization;
using AlignLab.Testing;
using AlignLab.Training.Rewards;
using Reply = AlignLab.Testing.FakeChatCompletions.Reply;

namespace AlignLab.Web.Tests;

/// <summary>SPA construction end to end: an imported instance pool, the demo model as policy, a tiny random reward
/// model in HF layout, and a revision endpoint served on loopback by the test.</summary>
[Collection(PostgresCollection.First)]
public sealed class SpaConstructionTests(PostgresFixture postgres) : WebAppTestBase(postgres)
{
    private const string FailingQuestion = "What color is a plum?", FlakyQuestion = "What is the capital of Peru?";

    private static readonly (string Instruction, string Output)[] Pool =
    [
        ("What is the capital of Japan?", "The capital of Japan is Tokyo."),
        (FailingQuestion, "A ripe plum is purple."),
        (FlakyQuestion, "The capital of Peru is Lima."),
        ("Where does a camel live?", "A camel lives in the desert and eats leaves."),
        ("What is two plus three?", "Two plus three is five."),
        ("What color is a lime?", "A ripe lime is green."),
    ];

    // Every request about the plum fails; the first classification of Peru fails once.
    private readonly FakeChatCompletions _endpoint = new((prompt, seen) =>
        prompt.Contains(FailingQuestion) ? new Reply(503, "upstream unavailable")
        : prompt.Contains(FlakyQuestion) && FakeChatCompletions.IsClassification(prompt) && seen == 0 ? new Reply(500, "try again")
        : FakeChatCompletions.IsClassification(prompt) ? new Reply(200, "A")
        : new Reply(200, "Revised: " + FakeChatCompletions.Reference(prompt)));

    protected override IDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["AlignLab:Revision:Endpoint"] = _endpoint.BaseAddress,
        ["AlignLab:Revision:ApiKey"] = "test-key",
        ["AlignLab:Revision:MaxAttempts"] = "2",
        ["AlignLab:Revision:InitialBackoffMs"] = "20",
    };

    [Fact]
    public async Task AConstructionRevisesKeptRolloutsThroughTheEndpointAndAnnotatorsAndMakesDatasets()
    {
        var poolId = await ImportPoolAsync();
        var rewardFolder = CreateRewardModel();

        // 1. Endpoint revision, thresholds that keep every instance.
        var first = await ConstructAsync(poolId, RevisionEndpoint: true, eta1: 1e6, eta2: -1e6, eta3: -1e6);
        await Api.WaitForStatusAsync(first, "Succeeded", TimeSpan.FromSeconds(120));
        var items = await ItemsAsync(first);
        Assert.Equal(Pool.Select(p => p.Instruction), items.Select(i => i["instruction"]!.GetValue<string>()));
        Assert.All(items, i => Assert.Contains(i["status"]!.GetValue<string>(), new[] { "revised", "failed" }));

        // Rewards are the reward model's scores of prompt + response, for the rollout and for the reference.
        using (var rewardModel = RewardModel.Load(rewardFolder, TorchSharp.torch.CPU))
        {
            var rollouts = rewardModel.Score([.. items.Select(i => (i["instruction"]!.GetValue<string>(), "", i["rollout"]!.GetValue<string>()))], PromptTemplate.Alpaca);
            var references = rewardModel.Score([.. items.Select(i => (i["instruction"]!.GetValue<string>(), "", i["output"]!.GetValue<string>()))], PromptTemplate.Alpaca);
            for (int k = 0; k < items.Count; k++)
            {
                Assert.Equal(rollouts[k], items[k]["rolloutReward"]!.GetValue<double>(), 5);
                Assert.Equal(references[k], items[k]["outputReward"]!.GetValue<double>(), 5);
            }
        }

        var plum = items.Single(i => i["instruction"]!.GetValue<string>() == FailingQuestion);
        Assert.Equal("failed", plum["status"]!.GetValue<string>());
        Assert.Contains("503", plum["error"]!.GetValue<string>());
        Assert.Equal(2, plum["attempts"]!.GetValue<int>());
        var peru = items.Single(i => i["instruction"]!.GetValue<string>() == FlakyQuestion);
        Assert.Equal(("revised", "A", 3), (peru["status"]!.GetValue<string>(), peru["reason"]!.GetValue<string>(), peru["attempts"]!.GetValue<int>()));
        Assert.Equal(5, items.Count(i => i["status"]!.GetValue<string>() == "revised"));
        // The revision prompt carries X, Ŷ (the stored rollout) and Y.
        var tokyo = items[0];
        Assert.Contains(_endpoint.Requests, r => r.Prompt.StartsWith(
            $"Question: {Pool[0].Instruction}\nResponse 1: {tokyo["rollout"]!.GetValue<string>()}\nResponse 2: {Pool[0].Output}\n") && r.Authorization == "Bearer test-key");

        var summary = await Api.Http.GetFromJsonAsync<JsonObject>($"/api/constructions/{first}");
        var datasetId = summary!["datasetId"]!.GetValue<string>();
        var examples = await Api.Http.GetFromJsonAsync<JsonArray>($"/api/datasets/{datasetId}/examples?limit=50");
        Assert.Equal(5, examples!.Count);
        Assert.All(examples, e => Assert.Equal("Revised: " + e!["output"]!.GetValue<string>(), e["revised_output"]!.GetValue<string>()));
        Assert.Equal(tokyo["rollout"]!.GetValue<string>(), examples[0]!["original_output"]!.GetValue<string>());
        var dataset = await Api.Http.GetFromJsonAsync<JsonObject>($"/api/datasets/{datasetId}");
        Assert.Equal(("spa", 5), (dataset!["kind"]!.GetValue<string>(), dataset["exampleCount"]!.GetValue<int>()));
        Assert.True(dataset["stats"]!["stats"]!["meanEditOpsOriginalToRevised"]!.GetValue<double>() > 0);
        var metrics = (await Api.MetricsAsync(first)).ToDictionary(p => p!["name"]!.GetValue<string>(), p => p!["value"]!.GetValue<double>());
        Assert.Equal((6.0, 6.0, 5.0, 1.0), (metrics["instances"], metrics["kept"], metrics["revised"], metrics["revision_failed"]));

        // 2. Annotators, with η1 at the median rollout reward: the filter keeps exactly the rollouts below it.
        var rewards = items.Select(i => i["rolloutReward"]!.GetValue<double>()).Order().ToList();
        var eta1 = (rewards[2] + rewards[3]) / 2;
        var second = await ConstructAsync(poolId, RevisionEndpoint: false, eta1: eta1, eta2: -1e6, eta3: -1e6);
        await Api.WaitForStatusAsync(second, "Succeeded", TimeSpan.FromSeconds(120));
        var queued = await ItemsAsync(second);
        Assert.All(queued, i => Assert.Equal(i["rolloutReward"]!.GetValue<double>() < eta1 ? "awaiting_annotation" : "filtered_out", i["status"]!.GetValue<string>()));
        var waiting = queued.Where(i => i["status"]!.GetValue<string>() == "awaiting_annotation").Select(i => i["index"]!.GetValue<int>()).ToList();
        Assert.Equal(3, waiting.Count);

        // The histogram endpoint previews other thresholds over the same rewards.
        var preview = await Api.Http.GetFromJsonAsync<JsonObject>($"/api/constructions/{second}?eta1={rewards[4] + 1e-9}&eta2=-1000000&eta3=-1000000&bins=4");
        Assert.Equal(5, preview!["previewKept"]!.GetValue<int>());
        Assert.Equal(6, preview["rewards"]!["rollout"]!["counts"]!.AsArray().Sum(c => c!.GetValue<int>()));
        Assert.Equal(3, preview["counts"]!["awaiting_annotation"]!.GetValue<int>());

        // Bad annotations are refused and change nothing.
        var missing = await Api.Http.PostAsJsonAsync($"/api/constructions/{second}/items/{waiting[0]}/annotation", new { annotator = "ann" });
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Contains("revised", await missing.Content.ReadAsStringAsync());
        var filtered = queued.First(i => i["status"]!.GetValue<string>() == "filtered_out")["index"]!.GetValue<int>();
        Assert.Equal(HttpStatusCode.Conflict, (await Api.Http.PostAsJsonAsync($"/api/constructions/{second}/items/{filtered}/annotation", new { revised = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.Http.PostAsJsonAsync($"/api/constructions/{second}/items/99/annotation", new { revised = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await Api.Http.PostAsync($"/api/constructions/{second}/finalize", null)).StatusCode);   // nothing revised yet

        // The annotator is the signed-in account: a body naming someone else is refused, naming the field.
        var me = (await Api.Http.GetFromJsonAsync<JsonObject>("/api/me"))!["name"]!.GetValue<string>();
        var spoofed = await Api.Http.PostAsJsonAsync($"/api/constructions/{second}/items/{waiting[0]}/annotation", new { revised = "x", annotator = "someone-else" });
        Assert.Equal(HttpStatusCode.BadRequest, spoofed.StatusCode);
        Assert.Contains("\"annotator\"", await spoofed.Content.ReadAsStringAsync());

        // Revise one, skip the others: the last answer makes the dataset.
        var annotated = await Api.Http.PostAsJsonAsync($"/api/constructions/{second}/items/{waiting[0]}/annotation", new { revised = "A minimal fix." });
        Assert.Equal(2, (await annotated.Content.ReadFromJsonAsync<JsonObject>())!["stillWaiting"]!.GetValue<int>());
        await Api.Http.PostAsJsonAsync($"/api/constructions/{second}/items/{waiting[1]}/annotation", new { skip = true });
        var last = await (await Api.Http.PostAsJsonAsync($"/api/constructions/{second}/items/{waiting[2]}/annotation", new { skip = true })).Content.ReadFromJsonAsync<JsonObject>();
        var annotatedDataset = last!["datasetId"]!.GetValue<string>();
        var annotatedExamples = await Api.Http.GetFromJsonAsync<JsonArray>($"/api/datasets/{annotatedDataset}/examples");
        var only = Assert.Single(annotatedExamples!);
        Assert.Equal("A minimal fix.", only!["revised_output"]!.GetValue<string>());
        Assert.Equal(queued.Single(i => i["index"]!.GetValue<int>() == waiting[0])["rollout"]!.GetValue<string>(), only["original_output"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Conflict, (await Api.Http.PostAsJsonAsync($"/api/constructions/{second}/items/{waiting[0]}/annotation", new { revised = "again" })).StatusCode);
        var answered = await Api.Http.GetFromJsonAsync<JsonArray>($"/api/constructions/{second}/items?limit=10");
        Assert.All(answered!.Where(i => i!["status"]!.GetValue<string>() is "revised" or "skipped"), i => Assert.Equal(me, i!["revisedBy"]!.GetValue<string>()));
    }

    [Fact]
    public async Task AConstructionWithoutAUsableRewardModelOrEndpointFailsBeforeWritingAnything()
    {
        await Api.Http.PostAsync("/api/models/demo", null);
        var noModel = await Api.CreateRunAsync(new { method = "spa-construction", parameters = new { revision = "annotators" } });
        var id = Guid.Parse(noModel["id"]!.GetValue<string>());
        await Api.WaitForStatusAsync(id, "Failed", TimeSpan.FromSeconds(60));
        Assert.Contains("reward_model", (await Api.GetRunAsync(id))["error"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await Api.Http.GetAsync($"/api/constructions/{id}")).StatusCode);

        var badPool = await Api.Http.PostAsync("/api/datasets/pool?name=p", new StringContent("{\"instruction\":\"Q\"}\n", Encoding.UTF8, "application/jsonl"));
        Assert.Equal(HttpStatusCode.BadRequest, badPool.StatusCode);
        Assert.Contains("line 1.output", await badPool.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ThresholdsThatKeepNothingFailTheRunAndLeaveTheHistogramsToChooseBetterOnes()
    {
        await Api.Http.PostAsync("/api/models/demo", null);
        CreateRewardModel();
        var run = await Api.CreateRunAsync(new
        {
            method = "spa-construction",
            parameters = new { pool = "demo-pool", max_instances = 3, reward_model = "test-rm", eta1 = -1e6, max_new_tokens = 4, revision = "annotators" },
        });
        var id = Guid.Parse(run["id"]!.GetValue<string>());
        await Api.WaitForStatusAsync(id, "Failed", TimeSpan.FromSeconds(120));
        Assert.Contains("keep none of the 3 scored instances", (await Api.GetRunAsync(id))["error"]!.GetValue<string>());
        var summary = await Api.Http.GetFromJsonAsync<JsonObject>($"/api/constructions/{id}?eta1=1000000&eta2=-1000000&eta3=-1000000");
        Assert.Equal(3, summary!["counts"]!["filtered_out"]!.GetValue<int>());
        Assert.Equal(3, summary["previewKept"]!.GetValue<int>());
    }

    /// <summary>FIGA's η1–η3 are set for OpenAssistant's DeBERTa-v3 reward model: a construction scores with one.</summary>
    [Fact]
    public async Task AConstructionScoresRolloutsAndReferencesWithADebertaRewardModel()
    {
        var poolId = await ImportPoolAsync();
        var folder = TestDebertaRewardModels.Create(Path.Combine(ModelRoot, "deberta-rm"));
        var run = await Api.CreateRunAsync(new
        {
            method = "spa-construction",
            parameters = new
            {
                model = "demo-gpt2", pool = poolId.ToString(), reward_model = "deberta-rm", eta1 = 1e6, eta2 = -1e6, eta3 = -1e6,
                revision = "endpoint", max_new_tokens = 8, batch_size = 4,
            },
        });
        var id = Guid.Parse(run["id"]!.GetValue<string>());
        await Api.WaitForStatusAsync(id, "Succeeded", TimeSpan.FromSeconds(120));
        var items = await ItemsAsync(id);
        Assert.Equal(5, items.Count(i => i["status"]!.GetValue<string>() == "revised"));
        using var rewardModel = RewardModel.Load(folder, TorchSharp.torch.CPU);
        var references = rewardModel.Score([.. items.Select(i => (i["instruction"]!.GetValue<string>(), "", i["output"]!.GetValue<string>()))], PromptTemplate.Alpaca);
        for (int k = 0; k < items.Count; k++)
            Assert.Equal(references[k], items[k]["outputReward"]!.GetValue<double>(), 5);
    }

    private async Task<Guid> ImportPoolAsync()
    {
        await Api.Http.PostAsync("/api/models/demo", null);
        var lines = string.Join("\n", Pool.Select(p => new JsonObject { ["instruction"] = p.Instruction, ["output"] = p.Output }.ToJsonString()));
        var response = await Api.Http.PostAsync("/api/datasets/pool?name=facts", new StringContent(lines, Encoding.UTF8, "application/jsonl"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var dataset = (await response.Content.ReadFromJsonAsync<JsonObject>())!["dataset"]!;
        Assert.Equal("pool", dataset["kind"]!.GetValue<string>());
        return Guid.Parse(dataset["id"]!.GetValue<string>());
    }

    private string CreateRewardModel() => TestRewardModels.CreateRandom(Path.Combine(ModelRoot, "demo-gpt2"), Path.Combine(ModelRoot, "test-rm"));

    private async Task<Guid> ConstructAsync(Guid pool, bool RevisionEndpoint, double eta1, double eta2, double eta3)
    {
        var run = await Api.CreateRunAsync(new
        {
            method = "spa-construction",
            parameters = new
            {
                model = "demo-gpt2", pool = pool.ToString(), reward_model = "test-rm", eta1, eta2, eta3,
                revision = RevisionEndpoint ? "endpoint" : "annotators", max_new_tokens = 8, batch_size = 4,
            },
        });
        return Guid.Parse(run["id"]!.GetValue<string>());
    }

    private async Task<List<JsonNode>> ItemsAsync(Guid run) =>
        [.. (await Api.Http.GetFromJsonAsync<JsonArray>($"/api/constructions/{run}/items?limit=100"))!.Select(i => i!)];

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _endpoint.Dispose();
    }
}
