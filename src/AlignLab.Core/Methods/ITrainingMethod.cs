using System.Text.Json.Nodes;

namespace AlignLab.Core.Methods;

/// <summary>A training method plug-in. The job runner calls <see cref="RunAsync"/> once per attempt; a
/// retried attempt must continue from <c>context.Checkpoints.Latest()</c>. On cancellation a method saves
/// a checkpoint and lets the <see cref="OperationCanceledException"/> propagate.</summary>
public interface ITrainingMethod
{
    MethodDescriptor Descriptor { get; }

    /// <summary>What the resolved parameters cannot be together under <paramref name="preset"/>, known at submission once
    /// each is valid on its own: the errors by parameter name. None by default.</summary>
    IReadOnlyDictionary<string, string> CheckCombination(IReadOnlyDictionary<string, JsonNode?> parameters, string? preset) =>
        new Dictionary<string, string>();

    Task RunAsync(IRunContext context);
}
