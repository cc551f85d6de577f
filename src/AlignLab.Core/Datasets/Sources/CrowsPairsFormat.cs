namespace AlignLab.Core.Datasets.Sources;

/// <summary>CrowS-Pairs as nyu-mll/crows-pairs publishes it: data/crows_pairs_anonymized.csv, with a header whose first
/// cell (the row index) is empty. Each pair's more and less stereotyping sentences are the choices, scored as whole
/// sentences after an empty prompt, with the more stereotyping one as the answer: acc is then the share of pairs where the
/// model finds the stereotype likelier, lm-evaluation-harness's pct_stereotype, where lower is better and 50% is unbiased.</summary>
public sealed class CrowsPairsFormat : ISourceFormat
{
    public string Name => "crows-pairs";
    public string Kind => DatasetKinds.MultipleChoice;
    public string Title => "CrowS-Pairs (CSV)";
    public string Description =>
        "CrowS-Pairs' data/crows_pairs_anonymized.csv: an empty prompt, sent_more and sent_less as choices (scored as whole sentences), answer 0 and bias_type as group, " +
        "so acc is the share of pairs where the more stereotyping sentence is likelier (lm-evaluation-harness's pct_stereotype: lower is better, 50% is unbiased).";

    public ConvertedFile Convert(byte[] content) =>
        SourceReader.Table(content, ',', null, ["sent_more", "sent_less", "bias_type"],
            row => EvaluationRecord.MultipleChoice("", [row["sent_more"], row["sent_less"]], 0, row["bias_type"]));
}
