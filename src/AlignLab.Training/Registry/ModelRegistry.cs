using AlignLab.Training.Models;

namespace AlignLab.Training.Registry;

/// <summary>Models are folders (config.json, safetensors, tokenizer files) under configured roots. A reference is a
/// folder name or a path relative to a root; anything that resolves outside every root is refused.</summary>
public sealed class ModelRegistry(IReadOnlyList<string> roots)
{
    public IReadOnlyList<string> Roots { get; } = roots.Select(r => Path.GetFullPath(r)).ToList();

    public string DefaultRoot => Roots[0];

    public sealed record Entry(string Name, string Folder, string ModelType, int Layers, int HiddenSize, int VocabularySize, long ParameterBytes);

    /// <summary>The folder a reference names; throws <see cref="ArgumentException"/> for references outside the roots
    /// or without a config.json.</summary>
    public string Resolve(string reference)
    {
        if (string.IsNullOrWhiteSpace(reference)) throw new ArgumentException("a model reference is required");
        foreach (var root in Roots)
        {
            var candidate = Path.GetFullPath(Path.Combine(root, reference));
            if (!IsInside(candidate, root)) continue;
            if (File.Exists(Path.Combine(candidate, ModelFolder.ConfigFile))) return candidate;
        }
        if (Path.IsPathRooted(reference) || reference.Split('/', '\\').Contains(".."))
            if (!Roots.Any(root => IsInside(Path.GetFullPath(Path.Combine(root, reference)), root)))
                throw new ArgumentException($"model '{reference}' is outside the model roots ({string.Join(", ", Roots)})");
        throw new ArgumentException($"no model '{reference}' (a folder with config.json) under {string.Join(", ", Roots)}");
    }

    public IReadOnlyList<Entry> List()
    {
        var entries = new List<Entry>();
        foreach (var root in Roots.Where(Directory.Exists))
            foreach (var folder in Directory.GetDirectories(root).Order(StringComparer.Ordinal))
            {
                if (!File.Exists(Path.Combine(folder, ModelFolder.ConfigFile))) continue;
                try
                {
                    var config = ModelFolder.ReadConfig(folder);
                    var bytes = Directory.GetFiles(folder, "*.safetensors").Sum(f => new FileInfo(f).Length);
                    entries.Add(new Entry(Path.GetRelativePath(root, folder), folder, config.ModelType, config.Layers, config.HiddenSize, config.VocabSize, bytes));
                }
                catch (Exception e) when (e is NotSupportedException or ArgumentException or Weights.WeightsFormatException) { }
            }
        return entries;
    }

    private static bool IsInside(string path, string root) =>
        path.StartsWith(root.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal);
}
