using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AlignLab.Testing;

namespace AlignLab.Web.Tests;

[Collection(PostgresCollection.Name)]
public sealed class FigaApiTests(PostgresFixture postgres) : WebAppTestBase(postgres)
{
    [Fact]
    public async Task TheWeightsPreviewLabelsTheEditedTokens()
    {
        await Api.Http.PostAsync("/api/models/demo", null);
        var response = await Api.Http.PostAsJsonAsync("/api/previews/figa-weights", new
        {
            model = "demo-gpt2", original = "The capital of Japan is Rome.", revised = "The capital of Japan is Tokyo.",
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var revised = body["revised"]!.AsArray();
        var original = body["original"]!.AsArray();
        string Changed(JsonArray tokens) => string.Concat(tokens.Where(t => t!["label"]!.GetValue<string>() != "unchanged" && t["token"]!.GetValue<string>() != "<eos>")
            .Select(t => t!["token"]!.GetValue<string>()));
        Assert.Equal(" Tokyo", Changed(revised));
        Assert.Equal(" Rome", Changed(original));
        Assert.Equal(1.0, revised[^1]!["weight"]!.GetValue<double>());                       // Ỹ's EOS gets α
        Assert.All(original.Where(t => t!["label"]!.GetValue<string>() != "unchanged"), t => Assert.Equal(-0.5, t!["weight"]!.GetValue<double>()));
        Assert.True(body["editDistance"]!.GetValue<int>() >= 1);
    }

    [Fact]
    public async Task TheWeightsPreviewNamesBadFields()
    {
        var response = await Api.Http.PostAsJsonAsync("/api/previews/figa-weights", new { model = "../../etc", beta = -1.0 });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errors"]!.AsObject();
        Assert.Equal(["beta", "model", "original", "revised"], errors.Select(e => e.Key).Order());
    }

    [Fact]
    public async Task AFigaRunThroughTheApiCompletesWithItsMetricsAndTokenWeights()
    {
        await Api.Http.PostAsync("/api/models/demo", null);
        var run = await Api.CreateRunAsync(new
        {
            method = "figa",
            parameters = new { model = "demo-gpt2", max_steps = 6, batch_size = 4, grad_accum = 1, eval_every = 3, eval_fraction = 0.02 },
        });
        var id = Guid.Parse(run["id"]!.GetValue<string>());
        await Api.WaitForStatusAsync(id, "Succeeded", TimeSpan.FromSeconds(120));

        var names = (await Api.MetricsAsync(id)).Select(p => p!["name"]!.GetValue<string>()).ToHashSet();
        Assert.Superset(new HashSet<string> { "loss", "good_token_loss", "bad_token_loss", "good_tokens", "bad_tokens_kept", "bad_tokens_dropped",
            "tokens_per_s", "eval_rewarded_token_logp", "eval_penalised_token_logp", "eval_revised_logp", "eval_original_logp" }, names);
        var weights = Path.Combine(ArtifactRoot, "runs", id.ToString(), "token_weights.jsonl");
        Assert.Equal(20, File.ReadAllLines(weights).Length);
    }
}
