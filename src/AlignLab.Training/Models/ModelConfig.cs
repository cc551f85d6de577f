namespace AlignLab.Training.Models;

/// <summary>What the platform needs to know of any architecture's config.json.</summary>
public abstract record ModelConfig
{
    public abstract string ModelType { get; }
    public abstract int VocabSize { get; }
    public abstract int HiddenSize { get; }
    public abstract int Layers { get; }
    public abstract int MaxPositions { get; }
    public abstract int? EosTokenId { get; }
    public abstract int? BosTokenId { get; }

    /// <summary>The config.json a Hugging Face loader reads for this model.</summary>
    public abstract System.Text.Json.Nodes.JsonObject ToJson();
}
