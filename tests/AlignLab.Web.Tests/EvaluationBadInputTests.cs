using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AlignLab.Testing;

namespace AlignLab.Web.Tests;

/// <summary>Bad values in the parameters that evaluation and the paper recipes added: each run request is refused with
/// problem+json naming the parameter, and no run is stored. Requests are raw JSON so that escapes a serializer would never
/// write (NUL, a lone surrogate) reach the server as a client could send them. One web app serves the class: runs are
/// counted before and after, and datasets are named by id.</summary>
[Collection(PostgresCollection.Second)]
public sealed class EvaluationBadInputTests(SharedWebApp app) : IClassFixture<SharedWebApp>
{
    private static string Evaluate(string parameters) => """{"method":"evaluate","parameters":{""" + parameters + "}}";

    [Fact]
    public async Task EveryBadEvaluationOrRecipeParameterIsRefusedNamingItAndNothingIsStored()
    {
        await app.Api.Http.PostAsync("/api/models/demo", null);
        var pairs = await app.Api.Http.PostAsync("/api/datasets/preference?name=pairs",
            new StringContent("""{"prompt":"Capital of Peru?","chosen":"Lima.","rejected":"Oslo."}""", Encoding.UTF8, "application/x-ndjson"));
        Assert.Equal(HttpStatusCode.Created, pairs.StatusCode);
        var preference = JsonNode.Parse(await pairs.Content.ReadAsStringAsync())!["dataset"]!["id"]!.GetValue<string>();
        var nowhere = Guid.NewGuid();
        var huge = new string('x', 9000);

        (string Request, string Field, string Says)[] cases =
        [
            (Evaluate("""  "models":["demo-gpt2","a\u0000b"]  """), "parameters.models[1]", "NUL"),
            (Evaluate("""  "models":["a\ud800b"]  """), "parameters.models[0]", "lone surrogate"),
            (Evaluate($$"""  "models":["{{huge}}"]  """), "parameters.models", "at most"),
            (Evaluate("""  "models":["../../etc"]  """), "parameters.models", "../../etc"),
            (Evaluate("""  "models":"demo-gpt2"  """), "parameters.models", "list"),
            (Evaluate("""  "sets":["demo-eval-choices","a\u0000b"]  """), "parameters.sets[1]", "NUL"),
            (Evaluate("""  "sets":["a\ud800b"]  """), "parameters.sets[0]", "lone surrogate"),
            (Evaluate($$"""  "sets":["{{huge}}"]  """), "parameters.sets", "item 0"),
            (Evaluate($$"""  "sets":["{{nowhere}}"]  """), "parameters.sets", $"no dataset {nowhere}"),
            (Evaluate($$"""  "sets":["demo-eval-choices","{{preference}}"]  """), "parameters.sets", "preference dataset"),
            (Evaluate("""  "judge":"gpt4"  """), "parameters.judge", "must be one of"),
            (Evaluate("""  "judge_prompt":"a\u0000b"  """), "parameters.judge_prompt", "NUL"),
            (Evaluate("""  "judge_prompt":"a\ud800b"  """), "parameters.judge_prompt", "lone surrogate"),
            (Evaluate($$"""  "judge_prompt":"{{huge}}"  """), "parameters.judge_prompt", "at most"),
            (Evaluate("""  "judge":"endpoint","judge_prompt":"no placeholders"  """), "parameters.judge_prompt", "{instruction}"),
            (Evaluate("""  "baseline":"a\u0000b"  """), "parameters.baseline", "NUL"),
            (Evaluate("""  "baseline":"a\ud800b"  """), "parameters.baseline", "lone surrogate"),
            (Evaluate($$"""  "baseline":"{{huge}}"  """), "parameters.baseline", "at most"),
            (Evaluate("""  "baseline":"someone-else"  """), "parameters.baseline", "not one of models"),
            (Evaluate("""  "relevance_prompt":"a\u0000b"  """), "parameters.relevance_prompt", "NUL"),
            (Evaluate("""  "relevant_sentences":"yes"  """), "parameters.relevant_sentences", "true or false"),
            (Evaluate("""  "length_controlled":1  """), "parameters.length_controlled", "true or false"),
            (Evaluate("""  "temperature":"hot"  """), "parameters.temperature", ""),
            (Evaluate("""  "top_p":5  """), "parameters.top_p", ""),
            ("""{"method":"sft","parameters":{"evaluate_checkpoints":"yes"}}""", "parameters.evaluate_checkpoints", "true or false"),
            ("""{"method":"ppo","parameters":{"preset":"demo","rollouts_kept":1e9}}""", "parameters.rollouts_kept", ""),
            ("""{"method":"ppo","parameters":{"preset":"demo","rollouts_kept":"a\u0000b"}}""", "parameters.rollouts_kept", ""),
            ("""{"method":"figa","parameters":{"prompt_joining":"both"}}""", "parameters.prompt_joining", "must be one of"),
            ("""{"method":"figa","parameters":{"reward_weights":"gamma"}}""", "parameters.reward_weights", "must be one of"),
            ("""{"method":"figa","parameters":{"good_labels":"a\u0000b"}}""", "parameters.good_labels", "NUL"),
            ("""{"method":"figa","parameters":{"evaluate_with":[""" + $"\"{preference}\"" + "]}}", "parameters.evaluate_with", "preference dataset"),
            ("""{"method":"ppo","parameters":{"preset":"demo","critic":"value"}}""", "parameters.critic", "must be one of"),
            ("""{"method":"sft","parameters":{"dataset":""" + $"\"{nowhere}\"" + "}}", "parameters.dataset", $"no dataset {nowhere}"),
        ];

        var before = await app.Api.RunCountAsync();
        var failures = new List<string>();
        foreach (var (request, field, says) in cases)
        {
            var response = await app.Api.Http.PostAsync("/api/runs", new StringContent(request, Encoding.UTF8, "application/json"));
            var body = await response.Content.ReadAsStringAsync();
            var errors = response.StatusCode == HttpStatusCode.BadRequest && response.Content.Headers.ContentType?.MediaType == "application/problem+json"
                ? JsonNode.Parse(body)!["errors"]?.AsObject() : null;
            var messages = errors?[field]?.AsArray().Select(m => m!.GetValue<string>()).ToList();
            if (messages is null || !messages.Any(m => m.Contains(says, StringComparison.Ordinal)))
                failures.Add($"{(request.Length > 200 ? request[..200] + "…" : request)} → {(int)response.StatusCode} {(body.Length > 400 ? body[..400] : body)}");
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {cases.Length} requests were not refused naming the field:\n" + string.Join('\n', failures));
        Assert.Equal(before, await app.Api.RunCountAsync());
    }

    [Fact]
    public async Task AMultipleChoiceItemMayHaveAnEmptyPromptButNotAMissingOneOrABadChoice()
    {
        await app.Api.Http.PostAsync("/api/models/demo", null);
        // CrowS-Pairs' shape: no prompt, two whole sentences.
        var accepted = await app.Api.Http.PostAsync("/api/datasets/multiple-choice?name=pairs",
            new StringContent("""{"prompt":"","choices":["The nurse said she was tired.","The nurse said he was tired."],"answer":0}""", Encoding.UTF8, "application/x-ndjson"));
        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);

        var file = string.Join('\n',
            """{"choices":["a","b"],"answer":0}""",
            """{"prompt":"Q","choices":["a","b\u0000"],"answer":0}""",
            """{"prompt":"Q","choices":["a\ud800","b"],"answer":0}""",
            """{"prompt":"Q","choices":["a",7],"answer":0}""",
            """{"prompt":"Q","choices":["a","b"],"answer":"0"}""");
        var refused = await app.Api.Http.PostAsync("/api/datasets/multiple-choice?name=bad", new StringContent(file, Encoding.UTF8, "application/x-ndjson"));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var errors = JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["errors"]!.AsObject();
        Assert.Equal(["line 1.prompt", "line 2.choices", "line 3.choices", "line 4.choices", "line 5.answer"], errors.Select(e => e.Key).Order(StringComparer.Ordinal));
        Assert.Contains("NUL", errors["line 2.choices"]!.ToJsonString());
        Assert.Contains("lone surrogate", errors["line 3.choices"]!.ToJsonString());
        var datasets = JsonNode.Parse(await app.Api.Http.GetStringAsync("/api/datasets"))!.AsArray();
        Assert.DoesNotContain(datasets, d => d!["name"]!.GetValue<string>() == "bad");
    }
}
