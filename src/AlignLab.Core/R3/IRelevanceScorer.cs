namespace AlignLab.Core.R3;

/// <summary>What a text's relevance is measured against: the query (the OE branch) or the reference answer (CE).</summary>
public enum RelevanceAnchor { Query, Reference }

/// <summary>R³'s relevance rel(a, b) of a text to a query or a reference answer, scored in batches.</summary>
public interface IRelevanceScorer
{
    /// <summary>What it is, as the UI names it.</summary>
    string Name { get; }

    /// <summary>The relevance that the closed-ended branch maps onto the largest reward, max_len / 100. The paper's
    /// range is [0, 3.5], for Contriever's dot products. A scorer on another scale gives its own.</summary>
    double ClosedEndedRange { get; }

    IReadOnlyList<double> Score(IReadOnlyList<(string Anchor, string Text)> pairs, RelevanceAnchor anchor);
}
