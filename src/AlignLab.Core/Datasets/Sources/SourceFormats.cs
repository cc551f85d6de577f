namespace AlignLab.Core.Datasets.Sources;

/// <summary>Every public benchmark layout that can be converted on import, found by its <see cref="ISourceFormat.Name"/>.</summary>
public static class SourceFormats
{
    public static IReadOnlyList<ISourceFormat> All { get; } =
        [new MmluFormat(), new TruthfulQaMc1Format(), new CrowsPairsFormat(), new WinogenderFormat(), new AlpacaEvalFormat(), new MtBenchFormat()];

    /// <summary>The format with this name (case-insensitive), or null.</summary>
    public static ISourceFormat? Find(string name) => All.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase));
}
