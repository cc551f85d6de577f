using System.Net;
using System.Text.Json.Nodes;
using AlignLab.Testing;

namespace AlignLab.Web.Tests;

/// <summary>A symbolic link inside a run's folder could point anywhere on the machine: the artifact listing neither shows
/// nor walks it, and a download through it is refused.</summary>
[Collection(PostgresCollection.First)]
public sealed class ArtifactLinksTests(PostgresFixture postgres) : WebAppTestBase(postgres)
{
    [Fact]
    public async Task LinksOutOfARunsFolderAreNeitherListedNorServed()
    {
        var run = await Api.CreateRunAsync(new { method = "smoke", parameters = new { steps = 1, delay_ms = 0 } });
        var id = Guid.Parse(run["id"]!.GetValue<string>());
        await Api.WaitForStatusAsync(id, "Succeeded", TimeSpan.FromSeconds(60));
        var folder = Path.Combine(ArtifactRoot, "runs", id.ToString());
        Directory.CreateDirectory(folder);
        var outside = Directory.CreateTempSubdirectory("alignlab-outside-").FullName;
        File.WriteAllText(Path.Combine(outside, "secret.txt"), "not a run's file");
        Directory.CreateSymbolicLink(Path.Combine(folder, "etc-link"), outside);
        File.CreateSymbolicLink(Path.Combine(folder, "secret-link.txt"), Path.Combine(outside, "secret.txt"));
        File.WriteAllText(Path.Combine(folder, "own.txt"), "the run's own file");

        var listing = JsonNode.Parse(await Api.Http.GetStringAsync($"/api/runs/{id}/artifacts"))!.AsArray().Select(f => f!["path"]!.GetValue<string>()).ToList();
        Assert.Contains("own.txt", listing);
        Assert.DoesNotContain(listing, p => p.StartsWith("etc-link", StringComparison.Ordinal) || p == "secret-link.txt");

        Assert.Equal("the run's own file", await Api.Http.GetStringAsync($"/api/runs/{id}/artifacts/own.txt"));
        foreach (var path in new[] { "etc-link/secret.txt", "secret-link.txt" })
        {
            var response = await Api.Http.GetAsync($"/api/runs/{id}/artifacts/{path}");
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.DoesNotContain("not a run's file", await response.Content.ReadAsStringAsync());
        }
    }
}
