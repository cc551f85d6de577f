namespace AlignLab.Core.Datasets.Sources;

/// <summary>A public benchmark's file layout, converted as it is published into one of the evaluation kinds
/// (<see cref="DatasetKinds.MultipleChoice"/> or <see cref="DatasetKinds.Generation"/>), so that a benchmark can be
/// imported without writing a script: prompts are built the way lm-evaluation-harness builds them, so that scores compare.</summary>
public interface ISourceFormat
{
    /// <summary>A url-safe id, e.g. "mmlu".</summary>
    string Name { get; }

    /// <summary>The evaluation kind the records are in.</summary>
    string Kind { get; }

    /// <summary>A short name for the UI, e.g. "MMLU (CSV)".</summary>
    string Title { get; }

    /// <summary>One sentence: which file of which source, and how it maps onto the kind's fields (shown in the UI and API docs).</summary>
    string Description { get; }

    /// <summary>The records of a source file's bytes, and an error for every record (or the file) that the layout gets wrong.</summary>
    ConvertedFile Convert(byte[] content);
}
