namespace AlignLab.Core.Models;

/// <summary>A model the catalog lists: a folder under a model root, or a run's export.</summary>
/// <param name="Architecture">The config's first architecture (…ForCausalLM, …ForSequenceClassification), or "".</param>
/// <param name="Exported">Whether a run exported it (its name is "runs/{id}/export").</param>
public sealed record ModelEntry(string Name, string Folder, string ModelType, int Layers, int HiddenSize, int VocabularySize, long ParameterBytes,
    string Architecture = "", bool Exported = false)
{
    /// <summary>Everything known of the folder, including why it cannot be used (<see cref="ModelDetails.Problem"/>).</summary>
    public ModelDetails? Details { get; init; }
    public string? Problem => Details?.Problem;
    public bool Usable => Problem is null;
    public bool IsClassifier => Details?.IsClassifier ?? Architecture.EndsWith("ForSequenceClassification", StringComparison.Ordinal);
}
