using AlignLab.Core.Methods;

namespace AlignLab.Core.Models;

/// <summary>The models this node can name: folders (config.json, safetensors, tokenizer files) under configured roots, and
/// the models runs exported. What the web knows of models; reading a folder's weights is the trainer's business.</summary>
public interface IModelCatalog : IModelReferenceCheck
{
    IReadOnlyList<string> Roots { get; }

    /// <summary>Where new models (the demo model, the demo policy) are written.</summary>
    string DefaultRoot { get; }

    /// <summary>Every model folder, including those that cannot be used (with the reason), then every run export.</summary>
    IReadOnlyList<ModelEntry> List();

    /// <summary>The folder a reference names; throws <see cref="ArgumentException"/> for references outside the roots
    /// or without a config.json.</summary>
    string Resolve(string reference);

    /// <summary>What the folder holds, read without loading weights; kept until one of its files changes.</summary>
    ModelDetails Inspect(string folder);
}
