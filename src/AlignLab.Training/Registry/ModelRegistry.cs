using AlignLab.Core.Methods;
using AlignLab.Core.Models;
using AlignLab.Training.Models;

namespace AlignLab.Training.Registry;

/// <summary>Models are folders (config.json, safetensors, tokenizer files) under configured roots. A reference is a
/// folder name or a path relative to a root; anything that resolves outside every root is refused. The models that
/// runs export are models too: "runs/{run id}/export" names one under the artifact root, so a trained reward model
/// or policy can be used by the next run without copying it anywhere.</summary>
public sealed partial class ModelRegistry(IReadOnlyList<string> roots, string? artifactRoot = null) : IModelCatalog
{
    public IReadOnlyList<string> Roots { get; } = roots.Select(r => Path.GetFullPath(r)).ToList();

    public string? ArtifactRoot { get; } = artifactRoot is null ? null : Path.GetFullPath(artifactRoot);

    /// <summary>The reference of the model a run exported.</summary>
    public static string ExportReference(Guid runId) => ModelFiles.ExportReference(runId);

    public string DefaultRoot => Roots[0];

    public string Resolve(string reference)
    {
        if (string.IsNullOrWhiteSpace(reference)) throw new ArgumentException("a model reference is required");
        if (reference.Any(char.IsControl) || Core.Text.TextRules.Problem(reference) is not null)
            throw new ArgumentException("a model reference cannot hold control characters or lone surrogates");
        foreach (var root in Roots)
        {
            var candidate = Path.GetFullPath(Path.Combine(root, reference));
            if (!IsInside(candidate, root)) continue;
            if (File.Exists(Path.Combine(candidate, ModelFolder.ConfigFile))) return candidate;
        }
        if (ArtifactRoot is not null && ExportPattern().IsMatch(reference))
        {
            var export = Path.GetFullPath(Path.Combine(ArtifactRoot, reference));
            if (File.Exists(Path.Combine(export, ModelFolder.ConfigFile))) return export;
            throw new ArgumentException($"no model '{reference}': that run has not exported a model (yet)");
        }
        if (Path.IsPathRooted(reference) || reference.Split('/', '\\').Contains(".."))
            if (!Roots.Any(root => IsInside(Path.GetFullPath(Path.Combine(root, reference)), root)))
                throw new ArgumentException($"model '{reference}' is outside the model roots ({string.Join(", ", Roots)})");
        throw new ArgumentException($"no model '{reference}' (a folder with config.json) under {string.Join(", ", Roots)}");
    }

    /// <summary>Refuses at submission a reference that leaves every root (an absolute path elsewhere, or ".." past the root),
    /// names no model folder, or names one that cannot be loaded (its config, weights or tokenizer, with the reason).
    /// The export of a run is accepted before it exists: a run may name the model of a run still training.</summary>
    public string? Check(string reference, ModelRole role)
    {
        string folder;
        try { folder = Resolve(reference); }
        catch (ArgumentException e) { return ArtifactRoot is not null && ExportPattern().IsMatch(reference) ? null : e.Message; }
        var details = ModelInspection.Inspect(folder);
        if (details.Problem is { } problem) return $"model '{reference}' cannot be used: {problem}";
        return (role, details.IsRetriever) switch
        {
            (ModelRole.Retriever, false) => $"'{reference}' is a {details.Architecture}, not a dense retriever (a BERT encoder with vocab.txt)",
            (not ModelRole.Retriever, true) => $"'{reference}' is a dense retriever (a BERT encoder); it can only score relevance",
            _ => null,
        };
    }

    public string? CheckChatTemplate(string reference)
    {
        string folder;
        try { folder = Resolve(reference); }
        catch (ArgumentException) { return null; }
        var details = ModelInspection.Inspect(folder);
        return details.Problem is null && !details.IsCrossEncoder && details.ChatTemplateProblem is { } problem
            ? $"the model template cannot be used with '{reference}': {problem}" : null;
    }

    public ModelDetails Inspect(string folder) => ModelInspection.Inspect(folder);

    public Core.Memory.ModelShape? ShapeOf(string reference)
    {
        try { return ModelInspection.Inspect(Resolve(reference)) is { Problem: null } details ? details.Shape : null; }
        catch (ArgumentException) { return null; }
    }

    public IReadOnlyList<ModelEntry> List()
    {
        var entries = new List<ModelEntry>();
        foreach (var root in Roots.Where(Directory.Exists))
            foreach (var folder in Directory.GetDirectories(root).Order(StringComparer.Ordinal))
                AddIfModel(entries, Path.GetRelativePath(root, folder), folder, exported: false);
        var runs = ArtifactRoot is null ? null : Path.Combine(ArtifactRoot, "runs");
        if (runs is not null && Directory.Exists(runs))
            foreach (var run in Directory.GetDirectories(runs).Order(StringComparer.Ordinal))
                if (Guid.TryParse(Path.GetFileName(run), out var id))
                    AddIfModel(entries, ExportReference(id), Path.Combine(run, "export"), exported: true);
        return entries;
    }

    // A folder with config.json is listed even when it cannot be used, with the reason.
    private static void AddIfModel(List<ModelEntry> entries, string name, string folder, bool exported)
    {
        if (!File.Exists(Path.Combine(folder, ModelFolder.ConfigFile))) return;
        var d = ModelInspection.Inspect(folder);
        entries.Add(new ModelEntry(name, folder, d.ModelType, d.Layers, d.HiddenSize, d.VocabularySize, d.ParameterBytes, d.Architecture, exported) { Details = d });
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^runs/[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/export/?\z")]
    private static partial System.Text.RegularExpressions.Regex ExportPattern();

    private static bool IsInside(string path, string root) =>
        path.StartsWith(root.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal);
}
