namespace AlignLab.Core.Datasets;

/// <summary>What a stored dataset holds: SPA pairs (FIGA's training data) or an instance pool of (X, Y), the input
/// of SPA construction. Both are stored as <see cref="SpaRecord"/>s; a pool's Ŷ and Ỹ are empty.</summary>
public static class DatasetKinds
{
    public const string Spa = "spa";
    public const string Pool = "pool";
}
