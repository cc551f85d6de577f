namespace AlignLab.Core.Datasets;

/// <summary>What a stored dataset holds (each kind's fields: <see cref="DatasetLayout"/>): SPA pairs (FIGA's training
/// data), an instance pool of (X, Y) (the input of SPA construction), minimal edits (prompt, original, edited) or
/// standard preference pairs (prompt, chosen, rejected), both for reward models; and evaluation sets: prompts to answer
/// (generation, with optional reference answers) and multiple-choice items (prompt, choices, answer).</summary>
public static class DatasetKinds
{
    public const string Spa = "spa";
    public const string Pool = "pool";
    public const string Edits = "edits";
    public const string Preference = "preference";
    public const string Generation = "generation";
    public const string MultipleChoice = "multiple-choice";

    /// <summary>The kinds an evaluation reads.</summary>
    public static readonly IReadOnlyList<string> Evaluation = [Generation, MultipleChoice];
}
