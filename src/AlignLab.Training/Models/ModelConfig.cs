using System.Text.Json.Nodes;

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

    /// <summary>The config.json this config was read from, written back unchanged on export (only torch_dtype and
    /// what the exporter adds change); null for a config made in code.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public JsonObject? Source { get; init; }

    /// <summary>The config.json a Hugging Face loader reads for this model.</summary>
    public JsonObject ToJson() => Source?.DeepClone().AsObject() ?? Build();

    /// <summary>config.json written from the fields, for a config made in code.</summary>
    protected abstract JsonObject Build();
}
