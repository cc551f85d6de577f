namespace AlignLab.Core.Memory;

/// <summary>The sizes of a model that its training memory depends on.</summary>
public sealed record ModelShape(long Parameters, int Layers, int Hidden, int Vocabulary, int ContextLength);
