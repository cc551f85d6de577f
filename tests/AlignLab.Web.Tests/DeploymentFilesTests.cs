using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace AlignLab.Web.Tests;

/// <summary>No Docker engine runs here, so docker/ is checked by reading it: the images publish projects that exist
/// and start the executables those projects build, and every configuration key the files set is one the platform
/// reads (appsettings.json's tree).</summary>
public sealed partial class DeploymentFilesTests
{
    private static readonly string Root = FindRoot();
    private static readonly string[] Files = ["docker/web.Dockerfile", "docker/worker.Dockerfile", "docker/compose.yaml"];

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "AlignLab.sln"))) return dir.FullName;
        throw new InvalidOperationException("AlignLab.sln not found above the test's folder");
    }

    private static string Read(string path) => File.ReadAllText(Path.Combine(Root, path));

    [GeneratedRegex(@"dotnet publish (\S+\.csproj)")] private static partial Regex Publish();
    [GeneratedRegex(@"ENTRYPOINT \[(.+)\]")] private static partial Regex Entrypoint();
    [GeneratedRegex(@"-p:TorchSharpBackend=(\w+)")] private static partial Regex Backend();
    [GeneratedRegex(@"\b((?:AlignLab|ConnectionStrings)__[A-Za-z0-9_]+|Urls)\s*[=:]")] private static partial Regex ConfigKey();
    [GeneratedRegex(@"dockerfile:\s*(\S+)")] private static partial Regex ComposeDockerfile();

    [Theory]
    [InlineData("docker/web.Dockerfile", "AlignLab.Web")]
    [InlineData("docker/worker.Dockerfile", "AlignLab.Worker")]
    public void EachImagePublishesAProjectAndStartsWhatItBuilds(string dockerfile, string project)
    {
        var text = Read(dockerfile);
        var published = Publish().Match(text).Groups[1].Value;
        Assert.Equal($"src/{project}/{project}.csproj", published);
        Assert.True(File.Exists(Path.Combine(Root, published)), published);
        var csproj = Read(published);
        Assert.DoesNotContain("<AssemblyName>", csproj);    // so the output is named after the project
        var entry = Entrypoint().Match(text).Groups[1].Value;
        var selfContained = text.Contains("--self-contained true");
        Assert.Equal(selfContained ? $"\"./{project}\"" : $"\"dotnet\", \"{project}.dll\"", entry);
        foreach (Match backend in Backend().Matches(text))
            Assert.Contains($"'$(TorchSharpBackend)' == '{backend.Groups[1].Value}'", Read("src/AlignLab.Training/AlignLab.Training.csproj"));
    }

    [Fact]
    public void ComposeBuildsTheDockerfilesHereAndChecksTheWebNodesHealthEndpoint()
    {
        var compose = Read("docker/compose.yaml");
        var dockerfiles = ComposeDockerfile().Matches(compose).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(["docker/web.Dockerfile", "docker/worker.Dockerfile"], dockerfiles);
        Assert.All(dockerfiles, f => Assert.True(File.Exists(Path.Combine(Root, f)), f));
        // The web image's health check calls an endpoint the web app maps.
        Assert.Contains("http://127.0.0.1:8080/healthz", Read("docker/web.Dockerfile"));
        Assert.Contains("MapGet(\"/healthz\"", Read("src/AlignLab.Web/Health/HealthApi.cs"));
        Assert.Contains("capabilities: [gpu]", compose);
        Assert.Contains("artifacts:/data/artifacts", compose);
    }

    [Fact]
    public void EveryConfigurationKeyTheFilesSetIsOneThePlatformReads()
    {
        var settings = JsonNode.Parse(Read("appsettings.json"))!;
        var keys = Files.SelectMany(f => ConfigKey().Matches(Read(f)).Select(m => (File: f, Key: m.Groups[1].Value))).ToList();
        Assert.Contains(keys, k => k.Key == "AlignLab__Jobs__RunServer");
        Assert.Contains(keys, k => k.Key == "ConnectionStrings__AlignLab");
        foreach (var (file, key) in keys)
        {
            JsonNode? node = settings;
            foreach (var part in key.Split("__"))
                node = node switch
                {
                    JsonArray array when int.TryParse(part, out _) => array.Count > 0 ? array[0] : JsonValue.Create(""),
                    JsonObject obj => obj[part],
                    _ => null,
                };
            Assert.True(node is not null, $"{file} sets {key}, which appsettings.json does not have");
        }
    }
}
