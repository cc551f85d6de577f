using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AlignLab.Testing;

namespace AlignLab.Web.Tests;

/// <summary>POST /api/previews/r3-reward: R³'s components for one response, by hand. Previews store nothing and one test
/// alone writes a model folder (tiny-bert): one web app serves the class.</summary>
[Collection(PostgresCollection.First)]
public sealed class R3PreviewApiTests(SharedWebApp app) : IClassFixture<SharedWebApp>
{
    private const string Query = "What is the capital of France?";
    private const string Response = "The capital of France is Paris.\nUSER: and Spain?";

    private async Task<JsonNode> PreviewAsync(object request)
    {
        var response = await app.Api.Http.PostAsJsonAsync("/api/previews/r3-reward", request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    [Fact]
    public async Task ThePreviewReturnsEveryComponentOfBothBranches()
    {
        // CE: the cleaned response has the reference's content words exactly (cosine 1 = the lexical scorer's range),
        // so interp gives 512 / 100; 7 tokens, no repeated trigram.
        var ce = await PreviewAsync(new { query = Query, response = Response, reference = "Paris is the capital of France.", queryType = "CE" });
        Assert.Equal("The capital of France is Paris.", ce["cleaned"]!.GetValue<string>());
        Assert.Equal("CE", ce["branch"]!.GetValue<string>());
        Assert.Equal(1.0, ce["relevance"]!.GetValue<double>(), 9);
        Assert.Equal(0.07, ce["lengthIncentive"]!.GetValue<double>(), 9);
        Assert.Equal(1.0, ce["repetitionPenalty"]!.GetValue<double>(), 9);
        Assert.Equal(5.12, ce["total"]!.GetValue<double>(), 9);
        Assert.StartsWith("Lexical overlap", ce["scorer"]!.GetValue<string>());

        // OE: relevance to the query, cosine 2 / (√2·√3) times the 1/3 of the response's content words that are new.
        var oe = await PreviewAsync(new { query = Query, response = Response, queryType = "OE" });
        var relevance = 2 / (Math.Sqrt(2) * Math.Sqrt(3)) / 3;
        Assert.Equal(relevance, oe["relevance"]!.GetValue<double>(), 9);
        Assert.Equal(relevance * 0.07, oe["total"]!.GetValue<double>(), 9);
        var lengthOnly = await PreviewAsync(new { query = Query, response = Response, queryType = "OE", ablation = "length_only" });
        Assert.Equal(0.07, lengthOnly["total"]!.GetValue<double>(), 9);
    }

    [Fact]
    public async Task ADenseRetrieverFolderScoresRelevanceAsAMeanPooledDotProduct()
    {
        TestRetrievers.CreateTiny(Path.Combine(app.ModelRoot, "tiny-bert"));
        // TestRetrievers.CreateTiny: "Paris" pools to (2/3 + 0.5, −1/3), "the capital" to (1.5, −0.5).
        var oe = await PreviewAsync(new { query = "Paris", response = "the capital", queryType = "OE", scorer = "tiny-bert" });
        var relevance = (2 / 3.0 + 0.5) * 1.5 + 1 / 3.0 * 0.5;
        Assert.Equal(relevance, oe["relevance"]!.GetValue<double>(), 5);
        Assert.Equal(relevance * 0.02, oe["total"]!.GetValue<double>(), 5);          // two word tokens, no trigram
        Assert.StartsWith("Dense retriever", oe["scorer"]!.GetValue<string>());
        // The closed-ended branch maps the retriever's [0, 3.5] onto [0, 5.12].
        var ce = await PreviewAsync(new { query = "x", response = "the capital", reference = "Paris", queryType = "CE", scorer = "tiny-bert" });
        Assert.Equal(relevance / 3.5 * 5.12, ce["total"]!.GetValue<double>(), 5);
    }

    [Fact]
    public async Task BadRequestsNameEveryBadField()
    {
        var response = await app.Api.Http.PostAsJsonAsync("/api/previews/r3-reward", new { response = "x", queryType = "CE", scorer = "bm99", ablation = "nope", maxLength = 0 });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errors"]!.AsObject();
        Assert.Equal(["ablation", "maxLength", "query", "reference", "scorer"], errors.Select(e => e.Key).Order());
    }
}
