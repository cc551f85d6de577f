using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using AlignLab.Testing;

namespace AlignLab.Web.Tests;

/// <summary>Archiving takes a finished run or a dataset out of the lists (and the wizard) and keeps all of it: a run's
/// metrics and history, a dataset's examples, for whatever names them. A run still running is not archived; only its
/// launcher or an admin archives a run; restoring brings it back.</summary>
[Collection(PostgresCollection.Second)]
public sealed class ArchiveTests(PostgresFixture postgres) : WebAppTestBase(postgres)
{
    private static Guid IdOf(JsonObject node) => Guid.Parse(node["id"]!.GetValue<string>());

    private async Task<Guid[]> ListedRunsAsync(bool archived) =>
        [.. JsonNode.Parse(await Api.Http.GetStringAsync($"/api/runs?pageSize=100&archived={archived}"))!["items"]!.AsArray().Select(r => IdOf(r!.AsObject()))];

    [Fact]
    public async Task AnArchivedRunOrDatasetLeavesTheListsKeepsEverythingAndComesBackWhenRestored()
    {
        var done = IdOf(await Api.CreateRunAsync(new { method = "smoke", parameters = new { steps = 3, delay_ms = 0 } }));
        await Api.WaitForStatusAsync(done, "Succeeded", TimeSpan.FromSeconds(30));
        var running = IdOf(await Api.CreateRunAsync(new { method = "smoke", parameters = new { steps = 10_000, delay_ms = 50 } }));

        var metricsBefore = (await Api.MetricsAsync(done)).Count;
        Assert.Equal(3, (await Api.MetricsAsync(done)).Count(p => !p!["name"]!.GetValue<string>().StartsWith("system/", StringComparison.Ordinal)));
        var archived = await Api.Http.PatchAsJsonAsync($"/api/runs/{done}", new { archived = true });
        Assert.Equal(HttpStatusCode.OK, archived.StatusCode);
        Assert.NotNull((await archived.Content.ReadFromJsonAsync<JsonObject>())!["archivedAt"]);
        Assert.DoesNotContain(done, await ListedRunsAsync(archived: false));
        Assert.Contains(done, await ListedRunsAsync(archived: true));
        Assert.Equal(metricsBefore, (await Api.MetricsAsync(done)).Count);     // kept whole
        Assert.Equal("Succeeded", await Api.StatusAsync(done));

        // Not while it runs; not a body that asks for anything else.
        var refused = await Api.Http.PatchAsJsonAsync($"/api/runs/{running}", new { archived = true });
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("cancel it first", await refused.Content.ReadAsStringAsync());
        var wrong = await Api.Http.PatchAsJsonAsync($"/api/runs/{done}", new { name = "renamed" });
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Contains("\"archived\"", await wrong.Content.ReadAsStringAsync());
        await Api.Http.PostAsync($"/api/runs/{running}/cancel", null);

        // Only its launcher or an admin: another researcher gets 403 and changes nothing.
        (await Api.Http.PostAsJsonAsync("/api/users", new { name = "rob", password = "a-long-password", role = "researcher" })).EnsureSuccessStatusCode();
        var key = (await (await Api.Http.PostAsJsonAsync("/api/keys", new { name = "k", user = "rob" })).Content.ReadFromJsonAsync<JsonObject>())!["key"]!.GetValue<string>();
        using (var rob = new AlignLabApi(BaseAddress, key))
            Assert.Equal(HttpStatusCode.Forbidden, (await rob.Http.PatchAsJsonAsync($"/api/runs/{done}", new { archived = false })).StatusCode);
        Assert.Contains(done, await ListedRunsAsync(archived: true));

        Assert.Equal(HttpStatusCode.OK, (await Api.Http.PatchAsJsonAsync($"/api/runs/{done}", new { archived = false })).StatusCode);
        Assert.Contains(done, await ListedRunsAsync(archived: false));
        Assert.Null((await Api.GetRunAsync(done))["archivedAt"]);

        // A dataset: out of the list, still readable by id, back when restored.
        (await Api.Http.PostAsync("/api/models/demo", null)).EnsureSuccessStatusCode();      // its statistics count demo tokens
        var line = """{"instruction":"Capital of Peru?","output":"Lima.","original_output":"Oslo.","revised_output":"Lima."}""";
        var upload = await Api.Http.PostAsync("/api/datasets/spa?name=peru", new StringContent(line, Encoding.UTF8, "application/x-ndjson"));
        Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
        var dataset = Guid.Parse(JsonNode.Parse(await upload.Content.ReadAsStringAsync())!["dataset"]!["id"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await Api.Http.PatchAsJsonAsync($"/api/datasets/{dataset}", new { archived = true })).StatusCode);
        Assert.DoesNotContain(dataset.ToString(), await Api.Http.GetStringAsync("/api/datasets"));
        Assert.Contains(dataset.ToString(), await Api.Http.GetStringAsync("/api/datasets?archived=true"));
        Assert.Contains("Lima.", await Api.Http.GetStringAsync($"/api/datasets/{dataset}/examples"));
        Assert.Equal(HttpStatusCode.NotFound, (await Api.Http.PatchAsJsonAsync($"/api/datasets/{Guid.NewGuid()}", new { archived = true })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Api.Http.PatchAsJsonAsync($"/api/datasets/{dataset}", new { archived = false })).StatusCode);
        Assert.Contains(dataset.ToString(), await Api.Http.GetStringAsync("/api/datasets"));
    }
}
