using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AlignLab.Testing;
using AlignLab.Testing.Reference;

namespace AlignLab.Web.Tests;

/// <summary>The models users bring, through the API: a Llama 3.1 folder's chat template renders as transformers does,
/// its per-token log-probs (POST /api/previews/logprobs) match an independent float64 forward pass, and folders that
/// cannot be used are listed with their reason and refused with 400 naming the field, by previews and run submission.
/// One web app serves the class: each test writes model folders of names no other test writes, and looks up only those.</summary>
[Collection(PostgresCollection.First)]
public sealed class RealModelsApiTests(SharedWebApp app) : IClassFixture<SharedWebApp>
{
    private async Task<(HttpStatusCode Status, JsonObject Body)> PostAsync(string path, object request)
    {
        var response = await app.Api.Http.PostAsJsonAsync(path, request);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject());
    }

    [Fact]
    public async Task LogProbsOfAConversationRenderedByTheModelsTemplateMatchAnIndependentForwardPass()
    {
        var folder = RealModels.Create("llama3", Path.Combine(app.ModelRoot, "llama3-tiny"));
        var reference = RealModels.Reference("chat-templates.json")["families"]!["llama3"]!["cases"]!.AsArray()
            .Select(c => c!.AsObject()).First(c => c["name"]!.GetValue<string>() == "multi_turn");

        var (status, body) = await PostAsync("/api/previews/logprobs", new
        {
            model = "llama3-tiny", template = "model", messages = reference["messages"], response = "Paris is the capital.",
        });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(reference["rendered"]!.GetValue<string>(), body["renderedPrompt"]!.GetValue<string>());
        var promptIds = body["promptIds"]!.AsArray().Select(i => i!.GetValue<int>()).ToArray();
        Assert.Equal(reference["ids"]!.AsArray().Select(i => i!.GetValue<int>()), promptIds);

        var tokens = body["tokens"]!.AsArray().Select(t => t!.AsObject()).ToList();
        var responseIds = tokens.Select(t => t["id"]!.GetValue<int>()).ToArray();
        Assert.Equal("Paris is the capital.", string.Concat(tokens.Select(t => t["text"]!.GetValue<string>())));
        var expected = ReferenceLm.TokenLogProbs(folder, [.. promptIds, .. responseIds], fromToken: promptIds.Length)[^responseIds.Length..];
        for (int k = 0; k < responseIds.Length; k++)
            Assert.Equal(expected[k], tokens[k]["logprob"]!.GetValue<double>(), 4);
    }

    [Fact]
    public async Task RawPromptsGetTheTokenizersBosAndAnEmptyResponseReturnsOnlyThePrompt()
    {
        RealModels.Create("llama2", Path.Combine(app.ModelRoot, "llama2-tiny"));
        var (status, body) = await PostAsync("/api/previews/logprobs", new { model = "llama2-tiny", prompt = "Hello", response = "" });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1, body["promptIds"]![0]!.GetValue<int>());                  // <s>, as the Llama 2 tokenizer adds it
        Assert.Empty(body["tokens"]!.AsArray());
    }

    [Fact]
    public async Task FoldersThatCannotBeUsedAreListedWithTheirReasonAndRefusedWith400NamingTheField()
    {
        var noTokenizer = RealModels.Create("qwen3", Path.Combine(app.ModelRoot, "no-tokenizer"));
        File.Delete(Path.Combine(noTokenizer, "tokenizer.json"));
        File.Delete(Path.Combine(noTokenizer, "tokenizer_config.json"));
        var brokenTokenizer = RealModels.Create("qwen3", Path.Combine(app.ModelRoot, "broken-tokenizer"));
        File.WriteAllText(Path.Combine(brokenTokenizer, "tokenizer.json"), "{\"model\": ");
        RealModels.Create("llama3", Path.Combine(app.ModelRoot, "yarn-rope"),
            configure: c => c["rope_scaling"] = new JsonObject { ["rope_type"] = "yarn", ["factor"] = 4.0 });
        var unsupported = Path.Combine(app.ModelRoot, "gemma2-folder");
        Directory.CreateDirectory(unsupported);
        File.WriteAllText(Path.Combine(unsupported, "config.json"), """{"model_type": "gemma2", "architectures": ["Gemma2ForCausalLM"]}""");

        var models = (await app.Api.Http.GetFromJsonAsync<JsonArray>("/api/models"))!.Select(m => m!.AsObject()).ToDictionary(m => m["name"]!.GetValue<string>());
        Assert.Contains("has no tokenizer", models["no-tokenizer"]["problem"]!.GetValue<string>());
        Assert.Contains("tokenizer.json", models["broken-tokenizer"]["problem"]!.GetValue<string>());
        Assert.Contains("yarn", models["yarn-rope"]["problem"]!.GetValue<string>());
        Assert.Contains("gemma2", models["gemma2-folder"]["problem"]!.GetValue<string>());

        foreach (var name in new[] { "no-tokenizer", "broken-tokenizer", "yarn-rope", "gemma2-folder", "nosuch" })
        {
            var logprobs = await PostAsync("/api/previews/logprobs", new { model = name, prompt = "Hi", response = " there" });
            Assert.Equal(HttpStatusCode.BadRequest, logprobs.Status);
            Assert.NotNull(logprobs.Body["errors"]!["model"]);
            var figa = await PostAsync("/api/previews/figa-weights", new { model = name, original = "a b", revised = "a c" });
            Assert.Equal(HttpStatusCode.BadRequest, figa.Status);
            Assert.NotNull(figa.Body["errors"]!["model"]);
            var run = await app.Api.Http.PostAsJsonAsync("/api/runs", new { method = "sft", parameters = new { model = name } });
            Assert.Equal(HttpStatusCode.BadRequest, run.StatusCode);
            Assert.NotNull(JsonNode.Parse(await run.Content.ReadAsStringAsync())!["errors"]!["parameters.model"]);
        }
    }

    [Fact]
    public async Task BadInputToTheLogProbPreviewIsA400NamingTheField()
    {
        RealModels.Create("llama3", Path.Combine(app.ModelRoot, "llama3-bad-input"));
        var tooLong = new string('a', 20_001);                               // PreviewsApi.MaxTextLength + 1
        var cases = new (object Request, string Field)[]
        {
            (new { model = "../../etc", prompt = "Hi", response = "x" }, "model"),
            (new { model = "/etc", prompt = "Hi", response = "x" }, "model"),
            (new { model = "llama3\u0000tiny", prompt = "Hi", response = "x" }, "model"),
            (new { model = "llama3-bad-input", prompt = tooLong, response = "x" }, "prompt"),
            (new { model = "llama3-bad-input", prompt = "Hi", response = tooLong }, "response"),
            (new { model = "llama3-bad-input", prompt = "Hi", response = "x", template = "nosuch" }, "template"),
            (new { model = "llama3-bad-input", messages = Array.Empty<object>(), template = "model", response = "x" }, "messages"),
            (new { model = "llama3-bad-input", prompt = "Hi", messages = new[] { new { role = "user", content = "Hi" } }, template = "model" }, "messages"),
            (new { model = "llama3-bad-input", messages = new[] { new { role = "user", content = "Hi" } }, template = "raw" }, "template"),
            (new { model = "llama3-bad-input", prompt = string.Concat(Enumerable.Repeat("word ", 3000)), response = string.Concat(Enumerable.Repeat("more ", 3000)) }, "response"),
        };
        foreach (var (request, field) in cases)
        {
            var (status, body) = await PostAsync("/api/previews/logprobs", request);
            Assert.True(status == HttpStatusCode.BadRequest && body["errors"]?[field] is not null, $"{field}: {status} {body}");
        }
        foreach (var json in new[] { """{"model": 3, "prompt": "Hi"}""", """{"model": "llama3-bad-input", "prompt": "a\ud800b", "response": "x"}""" })
        {
            var response = await app.Api.Http.PostAsync("/api/previews/logprobs", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }
    }

    [Fact]
    public async Task AChatTemplateTheEngineCannotRenderRefusesOnlyTheModelTemplate()
    {
        var folder = RealModels.Create("qwen3", Path.Combine(app.ModelRoot, "odd-template"));
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "tokenizer_config.json")))!.AsObject();
        config["chat_template"] = "{% include 'other.jinja' %}";
        File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"), config.ToJsonString());

        var listed = (await app.Api.Http.GetFromJsonAsync<JsonArray>("/api/models"))!.Single(m => m!["name"]!.GetValue<string>() == "odd-template")!;
        Assert.Null(listed["problem"]);
        Assert.False(listed["hasChatTemplate"]!.GetValue<bool>());
        var alpaca = await app.Api.Http.PostAsJsonAsync("/api/runs", new { method = "sft", parameters = new { model = "odd-template", template = "alpaca", max_steps = 1 } });
        Assert.Equal(HttpStatusCode.Created, alpaca.StatusCode);
        var model = await app.Api.Http.PostAsJsonAsync("/api/runs", new { method = "sft", parameters = new { model = "odd-template", template = "model" } });
        Assert.Equal(HttpStatusCode.BadRequest, model.StatusCode);
        Assert.Contains("'include' tag is not supported", JsonNode.Parse(await model.Content.ReadAsStringAsync())!["errors"]!["parameters.template"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task TheModelTemplateIsRefusedAtSubmissionForAModelWithoutOne()
    {
        RealModels.Create("llama2", Path.Combine(app.ModelRoot, "llama2-no-template"));           // the Llama 2 tokenizer ships no chat template
        var run = await app.Api.Http.PostAsJsonAsync("/api/runs", new { method = "sft", parameters = new { model = "llama2-no-template", template = "model" } });
        Assert.Equal(HttpStatusCode.BadRequest, run.StatusCode);
        Assert.Contains("no chat template", JsonNode.Parse(await run.Content.ReadAsStringAsync())!["errors"]!["parameters.template"]![0]!.GetValue<string>());
    }
}
