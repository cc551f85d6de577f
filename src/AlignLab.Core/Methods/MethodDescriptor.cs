namespace AlignLab.Core.Methods;

/// <summary>What the job layer, the API and the wizard know of a method: its name, a summary for people,
/// its parameter schema and the queue it runs on unless told otherwise.</summary>
public sealed record MethodDescriptor(
    string Name,
    string DisplayName,
    string Summary,
    string DefaultQueue,
    IReadOnlyList<ParameterSpec> Parameters);
