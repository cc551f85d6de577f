using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AlignLab.Core.Tokenization;
using AlignLab.Testing;
using AlignLab.Training.Rewards;

namespace AlignLab.Web.Tests;

/// <summary>/api/datasets/{id}/rewards: an SPA dataset's initial, revised and reference responses scored by a reward
/// model (FIGA's figure 2): the scores are the model's, and the histograms share one scale. One web app serves the class:
/// the first test scores with a reward model folder of its own (it retrains it), the bad-request cases share test-rm,
/// written by the first of them to run.</summary>
[Collection(PostgresCollection.Second)]
public sealed class DatasetRewardsApiTests(SharedWebApp app) : IClassFixture<SharedWebApp>
{
    private static readonly (string Instruction, string Output, string Original, string Revised)[] Records =
    [
        ("What is the capital of Japan?", "Tokyo is the capital of Japan.", "The capital of Japan is Rome.", "The capital of Japan is Tokyo."),
        ("What color is a lime?", "A ripe lime is green.", "A lime is blue.", "A lime is green."),
        ("Where does a camel live?", "In the desert.", "A camel lives in the sea.", "A camel lives in the desert."),
    ];

    [Fact]
    public async Task EachResponseColumnIsScoredByTheRewardModelOnOneScale()
    {
        await app.Api.Http.PostAsync("/api/models/demo", null);
        var rewardFolder = TestRewardModels.CreateRandom(Path.Combine(app.ModelRoot, "demo-gpt2"), Path.Combine(app.ModelRoot, "fig2-rm"));
        var lines = Records.Select(r => new JsonObject { ["instruction"] = r.Instruction, ["output"] = r.Output, ["original_output"] = r.Original, ["revised_output"] = r.Revised }.ToJsonString());
        var upload = await app.Api.Http.PostAsync("/api/datasets/spa?name=fig2", new StringContent(string.Join('\n', lines), Encoding.UTF8, "application/x-ndjson"));
        var id = JsonNode.Parse(await upload.Content.ReadAsStringAsync())!["dataset"]!["id"]!.GetValue<string>();

        var columns = JsonNode.Parse(await app.Api.Http.GetStringAsync($"/api/datasets/{id}/rewards?model=fig2-rm&bins=4"))!.AsArray();
        Assert.Equal(["original_output", "revised_output", "output"], columns.Select(c => c!["column"]!.GetValue<string>()));
        using var rewardModel = RewardModel.Load(rewardFolder, TorchSharp.torch.CPU);
        var expected = new[]
        {
            rewardModel.Score([.. Records.Select(r => (r.Instruction, "", r.Original))], PromptTemplate.Alpaca),
            rewardModel.Score([.. Records.Select(r => (r.Instruction, "", r.Revised))], PromptTemplate.Alpaca),
            rewardModel.Score([.. Records.Select(r => (r.Instruction, "", r.Output))], PromptTemplate.Alpaca),
        };
        var all = expected.SelectMany(e => e).ToList();
        for (int c = 0; c < 3; c++)
        {
            var rewards = columns[c]!["rewards"]!.AsArray().Select(v => v!.GetValue<double>()).ToList();
            Assert.Equal(expected[c], rewards, (a, b) => Math.Abs(a - b) < 1e-5);
            Assert.Equal(expected[c].Average(), columns[c]!["mean"]!.GetValue<double>(), 5);
            var histogram = columns[c]!["histogram"]!;
            Assert.Equal(3, histogram["counts"]!.AsArray().Sum(n => n!.GetValue<int>()));
            Assert.Equal(all.Min(), histogram["min"]!.GetValue<double>(), 5);
            Assert.Equal(all.Max(), histogram["max"]!.GetValue<double>(), 5);
        }

        // Asked again: the same scores. A model retrained into the same folder is scored afresh, not served from memory.
        Assert.Equal(columns.ToJsonString(), JsonNode.Parse(await app.Api.Http.GetStringAsync($"/api/datasets/{id}/rewards?model=fig2-rm&bins=4"))!.ToJsonString());
        Directory.Delete(rewardFolder, recursive: true);
        TestRewardModels.CreateRandom(Path.Combine(app.ModelRoot, "demo-gpt2"), rewardFolder, seed: 6);
        var retrained = JsonNode.Parse(await app.Api.Http.GetStringAsync($"/api/datasets/{id}/rewards?model=fig2-rm&bins=4"))!.AsArray();
        Assert.NotEqual(columns[0]!["rewards"]!.ToJsonString(), retrained[0]!["rewards"]!.ToJsonString());
    }

    [Theory]
    [InlineData("model=&limit=10", "model")]
    [InlineData("model=no-such-rm", "model")]
    [InlineData("model=test-rm&limit=0", "limit")]
    [InlineData("model=test-rm&template=fancy", "template")]
    public async Task BadRequestsNameTheField(string query, string field)
    {
        await app.Api.Http.PostAsync("/api/models/demo", null);
        var rewardFolder = Path.Combine(app.ModelRoot, "test-rm");
        if (!Directory.Exists(rewardFolder)) TestRewardModels.CreateRandom(Path.Combine(app.ModelRoot, "demo-gpt2"), rewardFolder);
        var line = new JsonObject { ["instruction"] = "Q?", ["output"] = "A." }.ToJsonString();
        var upload = await app.Api.Http.PostAsync("/api/datasets/pool?name=p", new StringContent(line, Encoding.UTF8, "application/x-ndjson"));
        var id = JsonNode.Parse(await upload.Content.ReadAsStringAsync())!["dataset"]!["id"]!.GetValue<string>();
        var response = await app.Api.Http.GetAsync($"/api/datasets/{id}/rewards?{query}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errors"]![field]);
        Assert.Equal(HttpStatusCode.NotFound, (await app.Api.Http.GetAsync($"/api/datasets/{Guid.NewGuid()}/rewards?model=test-rm")).StatusCode);
    }
}
