namespace AlignLab.Core.R3;

/// <summary>How a classification of a dataset's queries came out: counts of each predicted type, and where records
/// carry a label, the confusion matrix, the share of labels the classifier agrees with (“Preference-free Alignment Learning with Regularized Relevance Reward” reports 83 % for
/// GPT-4 against the authors) and Cohen's κ, which discounts the agreement two raters reach by chance.</summary>
/// <param name="Confusion">Confusion[label][predicted], each "OE" or "CE", over the labelled records.</param>
public sealed record QueryTypeAgreement(
    int Records, int OpenEnded, int ClosedEnded, int Unclassified, int Labelled,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> Confusion, double? Agreement, double? Kappa)
{
    public static QueryTypeAgreement Build(IReadOnlyList<QueryType?> labels, IReadOnlyList<QueryType?> predicted)
    {
        if (labels.Count != predicted.Count) throw new ArgumentException($"{labels.Count} labels but {predicted.Count} predictions");
        var pairs = labels.Zip(predicted).Where(p => p.First is not null && p.Second is not null).Select(p => (Label: p.First!.Value, Predicted: p.Second!.Value)).ToList();
        int Count(QueryType label, QueryType prediction) => pairs.Count(p => p.Label == label && p.Predicted == prediction);
        var types = new[] { QueryType.OpenEnded, QueryType.ClosedEnded };
        var confusion = types.ToDictionary(l => l.Label(), l => (IReadOnlyDictionary<string, int>)types.ToDictionary(p => p.Label(), p => Count(l, p)));
        double? agreement = null, kappa = null;
        if (pairs.Count > 0)
        {
            double n = pairs.Count;
            var observed = pairs.Count(p => p.Label == p.Predicted) / n;
            // Chance agreement: both say OE, or both say CE, if they chose independently at their own rates.
            var chance = types.Sum(t => pairs.Count(p => p.Label == t) / n * (pairs.Count(p => p.Predicted == t) / n));
            agreement = observed;
            kappa = chance >= 1 ? (observed >= 1 ? 1 : 0) : (observed - chance) / (1 - chance);
        }
        return new QueryTypeAgreement(predicted.Count, predicted.Count(p => p == QueryType.OpenEnded), predicted.Count(p => p == QueryType.ClosedEnded),
            predicted.Count(p => p is null), pairs.Count, confusion, agreement, kappa);
    }
}
