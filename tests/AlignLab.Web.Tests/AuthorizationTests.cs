using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AlignLab.Testing;

namespace AlignLab.Web.Tests;

/// <summary>Every REST endpoint, the hub and the job dashboard against each kind of caller: nobody (401), a role below the
/// endpoint's policy (403), the lowest role the policy admits (success), and invalid input (400 naming the field).
/// <see cref="Endpoints"/> must list every endpoint of the OpenAPI document, so a new endpoint cannot skip this.
/// One web app serves the class: each set-up makes users of its own, and every test stops the long run its set-up
/// started, so that none holds one of the job server's two workers when the next set-up waits for its run.</summary>
[Collection(PostgresCollection.First)]
public sealed class AuthorizationTests(SharedWebApp app) : IClassFixture<SharedWebApp>, IAsyncLifetime
{
    private const string Read = "read", Annotate = "annotate", Launch = "launch", Admin = "admin";

    /// <summary>Success: a 2xx. Authorized: past authorization (neither 401 nor 403) but needing more set-up than this test
    /// makes for a 2xx (a construction run, a reward model); their successes are in their features' own tests.</summary>
    private enum Expect { Success, Authorized }

    /// <param name="Route">The route template when <paramref name="Path"/> fills it with more than ids.</param>
    private sealed record Endpoint(string Method, string Path, string Policy, Func<Ids, HttpContent?>? Body = null, Expect Expect = Expect.Success,
        string? Route = null)
    {
        /// <summary>"GET /api/runs/{}": the method and the route with every parameter as {} and no query.</summary>
        public string Key => $"{Method} {Normalize(Route ?? Path)}";

        public override string ToString() => $"{Method} {Path}";
    }

    private sealed record Ids(Guid Run, Guid LongRun, Guid Dataset, Guid Key, Guid Sweep);

    private static HttpContent Json(object value) => JsonContent.Create(value);
    private static HttpContent Lines(string text) => new StringContent(text, Encoding.UTF8, "application/x-ndjson");

    private const string SpaLine = """{"instruction":"What is the capital of Peru?","input":"","output":"The capital of Peru is Lima.","original_output":"The capital of Peru is Oslo.","revised_output":"The capital of Peru is Lima."}""";

    private static readonly Endpoint[] Endpoints =
    [
        new("POST", "/api/runs", Launch, _ => Json(new { method = "smoke", parameters = new { steps = 1, delay_ms = 0 } })),
        new("GET", "/api/runs", Read),
        new("GET", "/api/datasets/formats", Read),
        new("GET", "/api/runs/{run}", Read),
        new("GET", "/api/runs/{run}/events", Read),
        new("POST", "/api/runs/{longRun}/cancel", Launch),
        new("POST", "/api/runs/{run}/retry", Launch),
        new("PATCH", "/api/runs/{run}", Launch, _ => Json(new { archived = false })),
        new("GET", "/api/runs/{run}/metrics", Read),
        new("GET", "/api/runs/{run}/samples", Read),
        new("GET", "/api/runs/{run}/evaluation", Read),
        new("GET", "/api/runs/{run}/rollouts", Read),
        new("GET", "/api/runs/{run}/evaluation.csv", Read),
        new("GET", "/api/runs/compare?ids={run}", Read),
        new("GET", "/api/runs/compare.csv?ids={run}", Read),
        new("GET", "/api/runs/{run}/artifacts", Read),
        new("GET", "/api/runs/{run}/artifacts/checkpoints", Read, Expect: Expect.Authorized, Route: "/api/runs/{id}/artifacts/{path}"),
        new("GET", "/api/runs/{run}/reward-hacking", Read, Expect: Expect.Authorized),
        new("POST", "/api/sweeps", Launch, _ => Json(new { run = new { method = "smoke", parameters = new { steps = 1, delay_ms = 0 } }, grid = new { decay = new[] { 0.1, 0.2 } } })),
        new("GET", "/api/sweeps", Read),
        new("GET", "/api/sweeps/{sweep}", Read),
        new("GET", "/api/methods", Read),
        new("GET", "/api/models", Read),
        new("POST", "/api/models/demo", Launch),
        new("POST", "/api/previews/figa-weights", Read, _ => Json(new { model = "demo-gpt2", original = "It is Rome.", revised = "It is Tokyo." })),
        new("POST", "/api/previews/logprobs", Read, _ => Json(new { model = "demo-gpt2", prompt = "It is", response = " Rome." })),
        new("POST", "/api/previews/r3-reward", Read, _ => Json(new { query = "What is the capital of France?", response = "Paris.", reference = "The capital of France is Paris." })),
        new("POST", "/api/datasets/spa?name=matrix", Launch, _ => Lines(SpaLine)),
        new("POST", "/api/datasets/pool?name=matrix", Launch, _ => Lines(SpaLine)),
        new("POST", "/api/datasets/edits?name=matrix", Launch, _ => Lines("""{"prompt":"Capital of Peru?","original":"Oslo.","edited":"Lima."}""")),
        new("POST", "/api/datasets/preference?name=matrix", Launch, _ => Lines("""{"prompt":"Capital of Peru?","chosen":"Lima.","rejected":"Oslo."}""")),
        new("POST", "/api/datasets/generation?name=matrix", Launch, _ => Lines("""{"prompt":"Capital of Peru?","reference":"Lima."}""")),
        new("POST", "/api/datasets/multiple-choice?name=matrix", Launch, _ => Lines("""{"prompt":"Capital of Peru?","choices":["Lima","Oslo"],"answer":0}""")),
        new("POST", "/api/datasets/spa/validate", Read, _ => Lines(SpaLine)),
        new("POST", "/api/datasets/pool/validate", Read, _ => Lines(SpaLine)),
        new("POST", "/api/datasets/edits/validate", Read, _ => Lines("""{"prompt":"Capital of Peru?","original":"Oslo.","edited":"Lima."}""")),
        new("POST", "/api/datasets/preference/validate", Read, _ => Lines("""{"prompt":"Capital of Peru?","chosen":"Lima.","rejected":"Oslo."}""")),
        new("POST", "/api/datasets/generation/validate", Read, _ => Lines("""{"prompt":"Capital of Peru?","reference":"Lima."}""")),
        new("POST", "/api/datasets/multiple-choice/validate", Read, _ => Lines("""{"prompt":"Capital of Peru?","choices":["Lima","Oslo"],"answer":0}""")),
        new("GET", "/api/datasets", Read),
        new("GET", "/api/datasets/{dataset}", Read),
        new("PATCH", "/api/datasets/{dataset}", Launch, _ => Json(new { archived = false })),
        new("GET", "/api/datasets/{dataset}/examples", Read),
        new("GET", "/api/datasets/{dataset}/rewards", Read, Expect: Expect.Authorized),
        new("GET", "/api/constructions/{run}", Read, Expect: Expect.Authorized),
        new("GET", "/api/constructions/{run}/items", Read, Expect: Expect.Authorized),
        new("POST", "/api/constructions/{run}/items/0/annotation", Annotate, _ => Json(new { skip = true }), Expect.Authorized,
            "/api/constructions/{runId}/items/{index}/annotation"),
        new("POST", "/api/constructions/{run}/finalize", Launch, _ => Json(new { name = "x" }), Expect.Authorized),
        new("GET", "/api/me", Read),
        new("GET", "/api/keys", Read),
        new("POST", "/api/keys", Read, _ => Json(new { name = "matrix" })),
        new("DELETE", "/api/keys/{key}", Read),
        new("GET", "/api/users", Admin),
        new("POST", "/api/users", Admin, _ => Json(new { name = "u" + Guid.NewGuid().ToString("N")[..8], password = "a-long-password", role = "reviewer" })),
        new("PATCH", "/api/users/{nobody}", Admin, _ => Json(new { disabled = true }), Expect.Authorized),
        new("DELETE", "/api/users/{nobody}", Admin, Expect: Expect.Authorized),
        new("POST", "/hubs/runs/negotiate?negotiateVersion=1", Read),
    ];

    /// <summary>Documented endpoints open to anyone (on their own terms: set-up answers only this machine, only once).</summary>
    private static readonly string[] OpenEndpoints = ["POST /api/setup"];

    private static string Normalize(string path) => Regex.Replace(path.Split('?')[0], @"\{[^}]*\}", "{}");

    private readonly Dictionary<string, string> _keys = [];
    private Ids _ids = null!;
    private Guid? _longRun;

    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Stops the long run of this test's set-up, if it made one (a run cancelled already answers 409).</summary>
    public async Task DisposeAsync()
    {
        if (_longRun is not { } longRun) return;
        await app.Api.CancelAsync(longRun, TimeSpan.FromSeconds(30));
    }

    private async Task<Ids> SetUpAsync()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];      // users of this test's own: the class shares one web app
        foreach (var role in new[] { "reviewer", "researcher" })
        {
            (await app.Api.Http.PostAsJsonAsync("/api/users", new { name = $"{role}-{suffix}", password = "a-long-password", role })).EnsureSuccessStatusCode();
            _keys[role] = await NewKeyAsync($"{role}-{suffix}", role);
        }
        _keys["admin"] = app.Web.Admin.ApiKey;
        (await app.Api.Http.PostAsync("/api/models/demo", null)).EnsureSuccessStatusCode();
        // The researcher's own: cancelling and archiving are for a run's launcher (or an admin).
        using var researcher = new AlignLabApi(app.BaseAddress, _keys["researcher"]);
        var run = Guid.Parse((await researcher.CreateRunAsync(new { method = "smoke", parameters = new { steps = 2, delay_ms = 0 } }))["id"]!.GetValue<string>());
        await app.Api.WaitForStatusAsync(run, "Succeeded", TimeSpan.FromSeconds(30));
        var longRun = Guid.Parse((await researcher.CreateRunAsync(new { method = "smoke", parameters = new { steps = 10_000, delay_ms = 50 } }))["id"]!.GetValue<string>());
        _longRun = longRun;
        var upload = await app.Api.Http.PostAsync("/api/datasets/spa?name=base", Lines(SpaLine));
        upload.EnsureSuccessStatusCode();
        var dataset = Guid.Parse(JsonNode.Parse(await upload.Content.ReadAsStringAsync())!["dataset"]!["id"]!.GetValue<string>());
        var sweep = await app.Api.Http.PostAsJsonAsync("/api/sweeps", new { run = new { method = "smoke", parameters = new { steps = 1, delay_ms = 0 } }, grid = new { steps = new[] { 1, 2 } } });
        sweep.EnsureSuccessStatusCode();
        var sweepId = Guid.Parse(JsonNode.Parse(await sweep.Content.ReadAsStringAsync())!["sweep"]!["id"]!.GetValue<string>());
        return new Ids(run, longRun, dataset, Guid.Empty, sweepId);
    }

    private async Task<string> NewKeyAsync(string user, string role)
    {
        var response = await app.Api.Http.PostAsJsonAsync("/api/keys", new { name = "test", role, user });
        response.EnsureSuccessStatusCode();
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!["key"]!.GetValue<string>();
    }

    private async Task<HttpResponseMessage> SendAsync(Endpoint endpoint, string? key, Ids ids, bool withBody = true)
    {
        var path = endpoint.Path.Replace("{run}", ids.Run.ToString()).Replace("{longRun}", ids.LongRun.ToString())
            .Replace("{dataset}", ids.Dataset.ToString()).Replace("{key}", ids.Key.ToString()).Replace("{sweep}", ids.Sweep.ToString())
            .Replace("{nobody}", Guid.NewGuid().ToString());
        using var request = new HttpRequestMessage(new HttpMethod(endpoint.Method), path) { Content = withBody ? endpoint.Body?.Invoke(ids) : null };
        if (key is not null) request.Headers.Authorization = new("Bearer", key);
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(app.BaseAddress) };
        return await anonymous.SendAsync(request);
    }

    /// <summary>The key a caller with <paramref name="policy"/>'s lowest admitted role uses, and one role below (null: none below).</summary>
    private (string Lowest, string? Below) RolesFor(string policy) => policy switch
    {
        Read or Annotate => (_keys["reviewer"], null),
        Launch => (_keys["researcher"], _keys["reviewer"]),
        Admin => (_keys["admin"], _keys["researcher"]),
        _ => throw new ArgumentOutOfRangeException(nameof(policy)),
    };

    [Fact]
    public async Task EveryEndpointAnswersEachCallerAsItsPolicySays()
    {
        _ids = await SetUpAsync();
        var failures = new List<string>();
        foreach (var endpoint in Endpoints)
        {
            var ids = _ids with { Key = await NewKeyIdAsync(endpoint) };
            // Nobody: 401 problem+json, whatever the body.
            using (var response = await SendAsync(endpoint, null, ids))
                if (response.StatusCode != HttpStatusCode.Unauthorized || response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                    failures.Add($"{endpoint} without credentials: {(int)response.StatusCode} {response.Content.Headers.ContentType}");
            // A key that is not one: 401 saying so.
            using (var response = await SendAsync(endpoint, "alk_" + new string('x', 43), ids))
                if (response.StatusCode != HttpStatusCode.Unauthorized || !(await response.Content.ReadAsStringAsync()).Contains("unknown or revoked"))
                    failures.Add($"{endpoint} with an unknown key: {(int)response.StatusCode}");

            var (lowest, below) = RolesFor(endpoint.Policy);
            if (below is not null)
                using (var response = await SendAsync(endpoint, below, ids))
                    if (response.StatusCode != HttpStatusCode.Forbidden || response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                        failures.Add($"{endpoint} with a role below {endpoint.Policy}: {(int)response.StatusCode}");

            using (var response = await SendAsync(endpoint, lowest, ids))
            {
                var ok = endpoint.Expect == Expect.Success
                    ? response.IsSuccessStatusCode
                    : response.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden);
                if (!ok) failures.Add($"{endpoint} with the lowest role {endpoint.Policy} admits: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
        }
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    /// <summary>A fresh key of the lowest role an endpoint admits, for DELETE /api/keys/{key}; otherwise none.</summary>
    private async Task<Guid> NewKeyIdAsync(Endpoint endpoint)
    {
        if (!endpoint.Path.Contains("{key}")) return Guid.Empty;
        using var http = new HttpClient { BaseAddress = new Uri(app.BaseAddress) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", RolesFor(endpoint.Policy).Lowest);
        var response = await http.PostAsJsonAsync("/api/keys", new { name = "to revoke" });
        response.EnsureSuccessStatusCode();
        return Guid.Parse(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["info"]!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task PagesAndTheJobDashboardFollowThePoliciesToo()
    {
        _ids = await SetUpAsync();
        async Task<HttpStatusCode> Status(string path, string? key)
        {
            using var response = await SendAsync(new Endpoint("GET", path, Read), key, _ids);
            return response.StatusCode;
        }
        // Signed out: pages send people to the login page.
        using (var response = await SendAsync(new Endpoint("GET", "/runs", Read), null, _ids))
        {
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.StartsWith("/login", response.Headers.Location!.PathAndQuery);
        }
        Assert.Equal(HttpStatusCode.OK, await Status("/login", null));
        Assert.Equal(HttpStatusCode.OK, await Status("/healthz", null));
        Assert.Equal(HttpStatusCode.OK, await Status("/runs", _keys["reviewer"]));
        Assert.Equal(HttpStatusCode.Forbidden, await Status("/experiments/new", _keys["reviewer"]));
        Assert.Equal(HttpStatusCode.OK, await Status("/experiments/new", _keys["researcher"]));
        Assert.Equal(HttpStatusCode.Forbidden, await Status("/hangfire", _keys["researcher"]));
        Assert.Equal(HttpStatusCode.OK, await Status("/hangfire", _keys["admin"]));

        // The API's document and its reference page: for anyone signed in, nobody else.
        Assert.Equal(HttpStatusCode.Unauthorized, await Status("/openapi/v1.json", null));
        Assert.Equal(HttpStatusCode.OK, await Status("/openapi/v1.json", _keys["reviewer"]));
        Assert.Equal(HttpStatusCode.Redirect, await Status("/reference", null));
        using var reference = await SendAsync(new Endpoint("GET", "/reference/v1", Read), _keys["reviewer"], _ids);
        Assert.True(reference.StatusCode == HttpStatusCode.OK, $"{(int)reference.StatusCode} {reference.Headers.Location}");
        var html = await reference.Content.ReadAsStringAsync();
        Assert.Contains("AlignLab API", html);
        Assert.Contains("openapi", html);
    }

    [Fact]
    public async Task InvalidInputIsRefusedWith400NamingEachBadField()
    {
        async Task<string[]> Fields(HttpResponseMessage response)
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            return [.. JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errors"]!.AsObject().Select(e => e.Key).Order()];
        }
        Assert.Equal(["method"], await Fields(await app.Api.Http.PostAsJsonAsync("/api/runs", new { method = "no-such-method" })));
        Assert.Equal(["parameters.steps"], await Fields(await app.Api.Http.PostAsJsonAsync("/api/runs", new { method = "smoke", parameters = new { steps = -1 } })));
        Assert.Equal(["page", "pageSize", "status"], await Fields(await app.Api.Http.GetAsync("/api/runs?status=Sleeping&page=-1&pageSize=0")));
        Assert.Equal(["file", "model", "name"], await Fields(await app.Api.Http.PostAsync("/api/datasets/spa?model=..%2Fmodels", Lines(""))));
        Assert.Equal(["name", "role"], await Fields(await app.Api.Http.PostAsJsonAsync("/api/keys", new { name = "", role = "king" })));
        Assert.Equal(["user"], await Fields(await app.Api.Http.PostAsJsonAsync("/api/keys", new { name = "k", user = "nobody" })));
        Assert.Equal(["name", "password", "role"], await Fields(await app.Api.Http.PostAsJsonAsync("/api/users", new { name = "Not Valid", password = "short", role = "king" })));

        // A reviewer's key cannot mint a researcher key: a key never exceeds its owner's role.
        (await app.Api.Http.PostAsJsonAsync("/api/users", new { name = "rev", password = "a-long-password", role = "reviewer" })).EnsureSuccessStatusCode();
        using var reviewer = new AlignLabApi(app.BaseAddress, await NewKeyAsync("rev", "reviewer"));
        Assert.Equal(["role"], await Fields(await reviewer.Http.PostAsJsonAsync("/api/keys", new { name = "up", role = "researcher" })));
    }

    /// <summary>Every text field of every endpoint in the table (which <see cref="TheOpenApiDocumentListsExactlyTheseEndpointsEachWithItsSchemas"/>
    /// holds to the OpenAPI document): each string of its JSON body, each string of its JSON Lines records, each string
    /// query parameter it is sent with or the document declares, in turn made to hold a NUL or (in JSON) an escaped lone
    /// surrogate. PostgreSQL cannot store either and a tokenizer cannot encode a lone surrogate: the answer is a 400 that
    /// names the field (or, for a file, the line), never a 500 and never a stored row.</summary>
    [Fact]
    public async Task EveryTextFieldOfEveryEndpointRefusesNulAndLoneSurrogatesNamingTheField()
    {
        _ids = await SetUpAsync();
        var document = JsonNode.Parse(await app.Api.Http.GetStringAsync("/openapi/v1.json"))!;
        var runsBefore = await app.Api.RunCountAsync();
        var datasetsBefore = JsonNode.Parse(await app.Api.Http.GetStringAsync("/api/datasets"))!.AsArray().Count;
        var failures = new List<string>();
        var checkedFields = 0;

        async Task Expect400(Endpoint endpoint, string path, HttpContent? content, string field)
        {
            checkedFields++;
            using var http = new HttpClient { BaseAddress = new Uri(app.BaseAddress) };
            http.DefaultRequestHeaders.Authorization = new("Bearer", RolesFor(endpoint.Policy).Lowest);
            using var response = await http.SendAsync(new HttpRequestMessage(new HttpMethod(endpoint.Method), path) { Content = content });
            var body = await response.Content.ReadAsStringAsync();
            var named = body.Contains($"\"{field}\"", StringComparison.OrdinalIgnoreCase) || body.Contains($".{field}\"", StringComparison.OrdinalIgnoreCase)
                        || body.Contains($"{field}:", StringComparison.OrdinalIgnoreCase) || body.Contains("line 1", StringComparison.Ordinal);
            var refused = response.StatusCode == HttpStatusCode.BadRequest
                          || endpoint.Path.EndsWith("/validate") && response.IsSuccessStatusCode && body.Contains("\"valid\":false");
            // An endpoint that needs more set-up than this test makes may refuse for that reason first, but never with a 5xx.
            if ((int)response.StatusCode >= 500 || endpoint.Expect == Expect.Success && !(refused && named))
                failures.Add($"{endpoint} with a bad {field}: {(int)response.StatusCode} {body[..Math.Min(body.Length, 300)]}");
        }

        foreach (var endpoint in Endpoints.Where(e => !e.Path.StartsWith("/hubs")))
        {
            var path = endpoint.Path.Replace("{run}", _ids.Run.ToString()).Replace("{longRun}", _ids.LongRun.ToString())
                .Replace("{dataset}", _ids.Dataset.ToString()).Replace("{key}", Guid.Empty.ToString()).Replace("{sweep}", _ids.Sweep.ToString())
                .Replace("{nobody}", Guid.NewGuid().ToString());
            var (route, query) = (path.Split('?')[0], path.Contains('?') ? path[(path.IndexOf('?') + 1)..] : "");
            var operation = document["paths"]!.AsObject()
                .FirstOrDefault(p => Normalize(p.Key) == Normalize(endpoint.Route ?? endpoint.Path)).Value?[endpoint.Method.ToLowerInvariant()];

            // Query parameters: those the table sends, and every string one the document declares.
            var names = query.Split('&', StringSplitOptions.RemoveEmptyEntries).Select(q => q.Split('=')[0])
                .Concat(operation?["parameters"]?.AsArray().Where(p => p!["in"]!.GetValue<string>() == "query" && IsString(p["schema"]))
                    .Select(p => p!["name"]!.GetValue<string>()) ?? []).Distinct().ToList();
            foreach (var name in names)
            {
                var others = query.Split('&', StringSplitOptions.RemoveEmptyEntries).Where(q => q.Split('=')[0] != name);
                await Expect400(endpoint, $"{route}?{string.Join('&', others.Append($"{name}=a%00b"))}", endpoint.Body?.Invoke(_ids), name);
            }

            // Bodies: every string, wherever it sits in a JSON body or a JSON Lines record.
            if (endpoint.Body?.Invoke(_ids) is not { } sample) continue;
            var mediaType = sample.Headers.ContentType!.MediaType!;
            var text = await sample.ReadAsStringAsync();
            var lines = mediaType == "application/json" ? [text] : text.Split('\n');
            var leaves = StringLeaves(JsonNode.Parse(lines[0])!, "").Count();
            for (int i = 0; i < leaves; i++)
                foreach (var bad in new[] { "a\\u0000b", "a\\ud800b" })
                {
                    // The sample's first record with its i-th string made bad (escaped in the JSON text itself).
                    var record = JsonNode.Parse(lines[0])!;
                    var (leaf, field) = StringLeaves(record, "").ElementAt(i);
                    leaf.ReplaceWith(JsonValue.Create("BAD-PLACEHOLDER"));
                    var json = record.ToJsonString().Replace("\"BAD-PLACEHOLDER\"", $"\"{bad}\"");
                    await Expect400(endpoint, path, new StringContent(string.Join('\n', [json, .. lines.Skip(1)]), Encoding.UTF8, mediaType), field);
                }
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {checkedFields} fields:\n" + string.Join('\n', failures));
        Assert.True(checkedFields > 40, $"only {checkedFields} fields were tried");
        // Nothing was stored by any refusal.
        Assert.Equal(runsBefore, await app.Api.RunCountAsync());
        Assert.Equal(datasetsBefore, JsonNode.Parse(await app.Api.Http.GetStringAsync("/api/datasets"))!.AsArray().Count);
    }

    private static bool IsString(JsonNode? schema) =>
        schema?["type"] is JsonValue type ? type.GetValue<string>() == "string"
        : schema?["type"] is JsonArray types && types.Any(t => t!.GetValue<string>() == "string");

    /// <summary>Each string in a JSON document with the name of its field (the last segment of its path).</summary>
    private static IEnumerable<(JsonValue Leaf, string Field)> StringLeaves(JsonNode node, string field)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, value) in o.ToList())
                    if (value is not null)
                        foreach (var leaf in StringLeaves(value, key)) yield return leaf;
                break;
            case JsonArray a:
                foreach (var item in a.ToList())
                    if (item is not null)
                        foreach (var leaf in StringLeaves(item, field)) yield return leaf;
                break;
            case JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.String:
                yield return (v, field);
                break;
        }
    }

    [Fact]
    public async Task ARevokedKeyStopsWorkingAndSetUpHappensOnce()
    {
        var key = await NewKeyAsync("admin", "reviewer");
        using var client = new AlignLabApi(app.BaseAddress, key);
        var me = JsonNode.Parse(await client.Http.GetStringAsync("/api/me"))!;
        Assert.Equal(("admin", "reviewer", "api-key"), (me["name"]!.GetValue<string>(), me["role"]!.GetValue<string>(), me["authenticatedWith"]!.GetValue<string>()));

        var keyId = me["keyId"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.NoContent, (await app.Api.Http.DeleteAsync($"/api/keys/{keyId}")).StatusCode);
        var refused = await client.Http.GetAsync("/api/me");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("unknown or revoked", await refused.Content.ReadAsStringAsync());
        var listed = JsonNode.Parse(await app.Api.Http.GetStringAsync("/api/keys"))!.AsArray().Single(k => k!["id"]!.GetValue<string>() == keyId)!;
        Assert.NotNull(listed["revokedAt"]);
        Assert.Null(listed["key"]); // the secret is never listed

        // The first admin exists: set-up is closed, even from this machine.
        var again = await app.Api.Http.PostAsJsonAsync("/api/setup", new { name = "intruder", password = "a-long-password" });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    [Fact]
    public async Task TheOpenApiDocumentListsExactlyTheseEndpointsEachWithItsSchemas()
    {
        var document = JsonNode.Parse(await app.Api.Http.GetStringAsync("/openapi/v1.json"))!;
        var operations = document["paths"]!.AsObject()
            .SelectMany(path => path.Value!.AsObject().Select(op => (Key: $"{op.Key.ToUpperInvariant()} {Normalize(path.Key)}", Operation: op.Value!)))
            .ToList();
        var tabled = Endpoints.Where(e => !e.Path.StartsWith("/hubs")).Select(e => e.Key).Concat(OpenEndpoints).Order().ToList();
        Assert.Equal(tabled, operations.Select(o => o.Key).Order().ToList());

        foreach (var (key, operation) in operations)
        {
            // Every operation names its successful response's shape, and every JSON body its schema.
            var responses = operation["responses"]!.AsObject();
            Assert.True(responses.Any(r => r.Key.StartsWith('2')), $"{key}: no success response");
            foreach (var (code, response) in responses.Where(r => r.Key.StartsWith('2') && r.Key is not ("202" or "204")))
                Assert.True(response!["content"]?.AsObject().Any(c => c.Value!["schema"] is not null) == true, $"{key} {code}: no schema");
            if (operation["requestBody"]?["content"]?["application/json"] is { } body)
                Assert.True(body["schema"] is not null, $"{key}: request body without a schema");
        }
        Assert.Equal("bearer", document["components"]!["securitySchemes"]!["apiKey"]!["scheme"]!.GetValue<string>());
    }

    [Fact]
    public async Task NoPasswordOrKeyReachesTheLog()
    {
        (await app.Api.Http.PostAsJsonAsync("/api/users", new { name = "quiet", password = "secret-password-123", role = "reviewer" })).EnsureSuccessStatusCode();
        var key = await NewKeyAsync("quiet", "reviewer");
        using (var client = new AlignLabApi(app.BaseAddress, key)) (await client.Http.GetAsync("/api/me")).EnsureSuccessStatusCode();
        var wrong = "alk_" + new string('w', 43);
        using (var client = new AlignLabApi(app.BaseAddress, wrong)) await client.Http.GetAsync("/api/me");
        await Task.Delay(500); // the console logger writes asynchronously

        var log = app.Web.Output;
        Assert.Contains("Now listening on", log);
        foreach (var secret in new[] { app.Web.Admin.Password, app.Web.Admin.ApiKey, "secret-password-123", key, wrong })
            Assert.DoesNotContain(secret, log);
        Assert.DoesNotContain("Password=", log, StringComparison.OrdinalIgnoreCase); // the database's
    }
}
