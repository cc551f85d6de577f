namespace AlignLab.Core.Datasets;

/// <summary>One record of any dataset kind, named after the first kind: one SPA instance in the public release's field names
/// (“Beyond Imitation”): instruction and input X, output Y (the reference response), original_output Ŷ (the model's
/// initial response), revised_output Ỹ (Ŷ minimally revised towards Y); and, optionally, the query's type for R³ (OE or
/// CE; empty when unlabelled). A multiple-choice evaluation item has its prompt as the instruction, and
/// <see cref="Choices"/>, <see cref="Answer"/> (the right choice's index) and <see cref="Group"/> (e.g. an MMLU subject).</summary>
public sealed record SpaRecord(string Instruction, string Input, string Output, string OriginalOutput, string RevisedOutput, string QueryType = "",
    IReadOnlyList<string>? Choices = null, int? Answer = null, string Group = "");
