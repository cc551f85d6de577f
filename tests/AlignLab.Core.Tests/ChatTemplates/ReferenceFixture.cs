using System.Text.Json;

namespace AlignLab.Core.Tests.ChatTemplates;

/// <summary>
/// tests/fixtures/references/chat-templates.json: per family a chat template, its bos/eos tokens and cases
/// (messages, add_generation_prompt, optional extra variables) with the reference rendering or an error.
/// </summary>
internal static class ReferenceFixture
{
    public const string RelativePath = "tests/fixtures/references/chat-templates.json";

    /// <summary>The repository root: the nearest folder above the test binaries that holds AlignLab.sln.</summary>
    public static string RepoRoot { get; } = FindRoot();

    public static string FullPath => Path.Combine(RepoRoot, RelativePath);

    public static JsonElement Load()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(FullPath));
        return document.RootElement.GetProperty("families").Clone();
    }

    /// <summary>JSON to the CLR values ChatTemplate.Render accepts; 1.0 stays a float as Python's json.loads keeps it.</summary>
    public static object? ToClr(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Null => null,
        JsonValueKind.Number when value.GetRawText().IndexOfAny(['.', 'e', 'E']) < 0 && value.TryGetInt64(out var integer) => (object)integer,
        JsonValueKind.Number => value.GetDouble(),
        JsonValueKind.Array => value.EnumerateArray().Select(ToClr).ToList(),
        _ => value.EnumerateObject().ToDictionary(p => p.Name, p => ToClr(p.Value)),
    };

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "AlignLab.sln"))) return dir.FullName;
        throw new InvalidOperationException($"no AlignLab.sln above {AppContext.BaseDirectory}");
    }
}
