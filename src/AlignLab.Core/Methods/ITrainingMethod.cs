namespace AlignLab.Core.Methods;

/// <summary>A training method plug-in. The job runner calls <see cref="RunAsync"/> once per attempt; a
/// retried attempt must continue from <c>context.Checkpoints.Latest()</c>. On cancellation a method saves
/// a checkpoint and lets the <see cref="OperationCanceledException"/> propagate.</summary>
public interface ITrainingMethod
{
    MethodDescriptor Descriptor { get; }

    Task RunAsync(IRunContext context);
}
