using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AlignLab.Testing;

namespace AlignLab.Web.Tests;

/// <summary>FIGA through the API: the token-weights preview, the paper preset and a run's record of its preset and
/// changes, and a run that completes with its metrics and token weights. One web app serves the class: each test reads
/// only the runs it made, by id.</summary>
[Collection(PostgresCollection.First)]
public sealed class FigaApiTests(SharedWebApp app) : IClassFixture<SharedWebApp>
{
    [Fact]
    public async Task TheWeightsPreviewLabelsTheEditedTokens()
    {
        await app.Api.Http.PostAsync("/api/models/demo", null);
        var response = await app.Api.Http.PostAsJsonAsync("/api/previews/figa-weights", new
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
    public async Task FigasPaperPresetIsTheRecipeOfBeyondImitationAndARunRecordsItsPresetAndChanges()
    {
        var methods = JsonNode.Parse(await app.Api.Http.GetStringAsync("/api/methods"))!.AsArray();
        var figa = methods.Single(m => m!["name"]!.GetValue<string>() == "figa")!;
        var paper = figa["presets"]!["paper"]!;
        // §4.1 of the paper: lr 1e-5, batch 128, 5 epochs, bf16; Eq. 1 α 1, β 0.5, γ 0; a bad token counts when NLL < 0.6.
        Assert.Equal(1e-5, paper["learning_rate"]!.GetValue<double>());
        Assert.Equal("constant", paper["schedule"]!.GetValue<string>());
        Assert.Equal(128, paper["batch_size"]!.GetValue<int>() * paper["grad_accum"]!.GetValue<int>());
        Assert.Equal((5, 0), (paper["epochs"]!.GetValue<int>(), paper["max_steps"]!.GetValue<int>()));
        Assert.Equal("auto", paper["precision"]!.GetValue<string>());
        Assert.Equal((1.0, 0.5, 0.0), (paper["alpha"]!.GetValue<double>(), paper["beta"]!.GetValue<double>(), paper["gamma"]!.GetValue<double>()));
        Assert.Equal(("paper", 0.6), (paper["bad_selection"]!.GetValue<string>(), paper["nll_threshold"]!.GetValue<double>()));
        // The authors' code (RUCAIBox/FIGA): truncation at 512 tokens, and the 1.0 upper bound of its selection.
        Assert.Equal((512, "truncate"), (paper["max_length"]!.GetValue<int>(), paper["overlong_pairs"]!.GetValue<string>()));
        Assert.Equal(1.0, paper["nll_upper"]!.GetValue<double>());
        // The authors' train.py joins "### Response:", a space and the response as one text; Eq. 1's α and β are constants.
        Assert.Equal(("authors", "ids"), (paper["prompt_joining"]!.GetValue<string>(), figa["presets"]!["demo"]!["prompt_joining"]!.GetValue<string>()));
        Assert.Equal(("levenshtein", "none"), (paper["good_labels"]!.GetValue<string>(), paper["reward_weights"]!.GetValue<string>()));
        // Table 5 ran its r̃ variants with β = 0: the method says so, and a run that picks one and leaves beta out gets it.
        var linked = figa["linkedDefaults"]!.AsArray().Single()!;
        Assert.Equal(("beta", 0.0, "good_labels"), (linked["parameter"]!.GetValue<string>(), linked["value"]!.GetValue<double>(), linked["when"]!.GetValue<string>()));
        // The parameters' defaults are the paper's; the demo preset finishes in CPU minutes.
        Assert.All(figa["parameters"]!.AsArray(), p => Assert.True(JsonNode.DeepEquals(p!["default"], paper[p["name"]!.GetValue<string>()]), p["name"]!.GetValue<string>()));
        Assert.Equal(200, figa["presets"]!["demo"]!["max_steps"]!.GetValue<int>());

        await app.Api.Http.PostAsync("/api/models/demo", null);
        var run = await app.Api.CreateRunAsync(new { method = "figa", parameters = new { preset = "demo", batch_size = 4 } });
        Assert.Equal("demo", run["preset"]!.GetValue<string>());
        Assert.Equal(["batch_size"], run["changed"]!.AsArray().Select(c => c!.GetValue<string>()));
        Assert.Equal(200, run["parameters"]!["max_steps"]!.GetValue<int>());
        await app.Api.Http.PostAsync($"/api/runs/{run["id"]!.GetValue<string>()}/cancel", null);
        var bagOfWords = await app.Api.CreateRunAsync(new { method = "figa", parameters = new { preset = "demo", good_labels = "bag_of_words" } });
        Assert.Equal(0.0, bagOfWords["parameters"]!["beta"]!.GetValue<double>());
        Assert.Equal(["beta", "good_labels"], bagOfWords["changed"]!.AsArray().Select(c => c!.GetValue<string>()).Order(StringComparer.Ordinal));
        await app.Api.Http.PostAsync($"/api/runs/{bagOfWords["id"]!.GetValue<string>()}/cancel", null);

        var refused = await app.Api.Http.PostAsJsonAsync("/api/runs", new { method = "figa", parameters = new { preset = "fastest" } });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("parameters.preset", JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["errors"]!.AsObject().Select(e => e.Key));
    }

    [Fact]
    public async Task TheWeightsPreviewNamesBadFields()
    {
        var response = await app.Api.Http.PostAsJsonAsync("/api/previews/figa-weights", new { model = "../../etc", beta = -1.0 });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errors"]!.AsObject();
        Assert.Equal(["beta", "model", "original", "revised"], errors.Select(e => e.Key).Order());
    }

    [Fact]
    public async Task AFigaRunThroughTheApiCompletesWithItsMetricsAndTokenWeights()
    {
        await app.Api.Http.PostAsync("/api/models/demo", null);
        var run = await app.Api.CreateRunAsync(new
        {
            method = "figa",
            parameters = new { model = "demo-gpt2", max_steps = 6, batch_size = 4, grad_accum = 1, eval_every = 3, eval_fraction = 0.02 },
        });
        var id = Guid.Parse(run["id"]!.GetValue<string>());
        // The run carries the memory estimate made at submission: 4 pairs = 8 rows, fp32, full fine-tuning of the demo model.
        Assert.Equal("full fp32", run["memory"]!["setting"]!.GetValue<string>());
        Assert.Contains("activations", run["memory"]!["breakdown"]!.GetValue<string>());
        Assert.Equal(run["memory"]!["bytes"]!.GetValue<long>(), (await app.Api.GetRunAsync(id))["memory"]!["bytes"]!.GetValue<long>());   // stored with the run
        await app.Api.WaitForStatusAsync(id, "Succeeded", TimeSpan.FromSeconds(120));

        var names = (await app.Api.MetricsAsync(id)).Select(p => p!["name"]!.GetValue<string>()).ToHashSet();
        Assert.Superset(new HashSet<string> { "loss", "good_token_loss", "bad_token_loss", "good_tokens", "bad_tokens_kept", "bad_tokens_dropped",
            "tokens_per_s", "shared_token_fraction", "eval_rewarded_token_logp", "eval_penalised_token_logp", "eval_revised_logp", "eval_original_logp" }, names);
        var weights = Path.Combine(app.ArtifactRoot, "runs", id.ToString(), "token_weights.jsonl");
        Assert.Equal(20, File.ReadAllLines(weights).Length);
    }
}
