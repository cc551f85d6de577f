using System.Diagnostics;
using System.Text.Json.Nodes;
using AlignLab.Testing;

namespace AlignLab.Web.Tests;

/// <summary>README's example of a script's first steps (set-up, who am I, a run), run as written with bash and curl
/// against a fresh web app: the example cannot rot.</summary>
[Collection(PostgresCollection.First)]
public sealed class ReadmeExampleTests(PostgresFixture postgres)
{
    private static string ReadmeExample(string name = "readme-example")
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var readme = Path.Combine(dir.FullName, "README.md");
            if (!File.Exists(readme) || !File.Exists(Path.Combine(dir.FullName, "AlignLab.sln"))) continue;
            var text = File.ReadAllText(readme);
            var begin = text.IndexOf($"<!-- {name}: begin -->", StringComparison.Ordinal);
            var end = text.IndexOf($"<!-- {name}: end -->", StringComparison.Ordinal);
            Assert.True(begin >= 0 && end > begin, $"README.md has no {name} block");
            var block = text[begin..end];
            var code = block.IndexOf("```bash\n", StringComparison.Ordinal) + "```bash\n".Length;
            return block[code..block.LastIndexOf("```", StringComparison.Ordinal)];
        }
        throw new FileNotFoundException("README.md not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public async Task TheReadmesFirstScriptRunsAsWritten()
    {
        await using var web = await AppProcess.StartWebAsync(new Dictionary<string, string>
        {
            ["ConnectionStrings:AlignLab"] = await postgres.CreateDatabaseAsync(migrate: false),
            ["AlignLab:Artifacts:Root"] = Directory.CreateTempSubdirectory("alignlab-readme-").FullName,
            ["AlignLab:Models:Roots:0"] = Directory.CreateTempSubdirectory("alignlab-readme-models-").FullName,
            ["AlignLab:Models:CreateDemoModel"] = "false",
        }, setUp: false);

        var folder = Directory.CreateTempSubdirectory("alignlab-readme-script-").FullName;
        var start = new ProcessStartInfo("bash", ["-euo", "pipefail", "-c", ReadmeExample() + "\n" + ReadmeExample("readme-upload-example")])
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["ALIGNLAB"] = await web.ListeningAddress },
        };
        using var bash = Process.Start(start)!;
        var output = await bash.StandardOutput.ReadToEndAsync();
        var errors = await bash.StandardError.ReadToEndAsync();
        await bash.WaitForExitAsync();
        Assert.True(bash.ExitCode == 0, $"exit {bash.ExitCode}\n{output}\n{errors}");

        // JSON documents (curl adds no newline between them): who the new key is, the queued run, the upload's report and
        // the stored dataset.
        var documents = output.Replace("}{", "}\n{").Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(("admin", "admin"), (documents[0]["name"]!.GetValue<string>(), documents[0]["role"]!.GetValue<string>()));
        Assert.Equal(("first", "smoke", "Queued"), (documents[1]["name"]!.GetValue<string>(), documents[1]["method"]!.GetValue<string>(),
            documents[1]["status"]!.GetValue<string>()));
        Assert.True(documents.Count == 4 && documents[2]["examples"] is not null, output);
        Assert.Equal(1, documents[2]["examples"]!.GetValue<int>());
        Assert.Equal(("mine", "spa"), (documents[3]["dataset"]!["name"]!.GetValue<string>(), documents[3]["dataset"]!["kind"]!.GetValue<string>()));
    }
}
