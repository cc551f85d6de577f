namespace AlignLab.Core.Construction;

/// <summary>One instance of an SPA construction (Algorithm 1) and how far it got: X (instruction, input), the
/// reference Y (output), the rollout Ŷ, both rewards, the revision reason and Ỹ.</summary>
public sealed record ConstructionItem(
    int Index, string Instruction, string Input, string Output, string Status,
    string? Rollout = null, double? RolloutReward = null, double? OutputReward = null,
    string? Reason = null, string? Revised = null, int Attempts = 0, string? Error = null, string? RevisedBy = null);

/// <summary>The stages an instance passes through. Revision ends in revised, failed (the endpoint gave up) or
/// skipped (an annotator passed on it).</summary>
public static class ConstructionStatus
{
    public const string Pending = "pending";
    public const string RolledOut = "rolled_out";
    public const string FilteredOut = "filtered_out";
    public const string Kept = "kept";
    public const string AwaitingAnnotation = "awaiting_annotation";
    public const string Revised = "revised";
    public const string Failed = "failed";
    public const string Skipped = "skipped";

    public static readonly IReadOnlyList<string> All = [Pending, RolledOut, FilteredOut, Kept, AwaitingAnnotation, Revised, Failed, Skipped];
}

/// <summary>Who revises the kept rollouts: an OpenAI-compatible endpoint (the paper's two-step prompting) or
/// annotators in the UI.</summary>
public static class RevisionModes
{
    public const string Endpoint = "endpoint";
    public const string Annotators = "annotators";
}
