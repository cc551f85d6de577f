namespace AlignLab.Core.Datasets;

/// <summary>One SPA instance in the public release's field names (“Beyond Imitation”): instruction and input X, output Y (the
/// reference response), original_output Ŷ (the model's initial response), revised_output Ỹ (Ŷ minimally revised
/// towards Y); and, optionally, the query's type for R³ (OE or CE; empty when unlabelled).</summary>
public sealed record SpaRecord(string Instruction, string Input, string Output, string OriginalOutput, string RevisedOutput, string QueryType = "");
