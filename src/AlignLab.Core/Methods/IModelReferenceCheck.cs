namespace AlignLab.Core.Methods;

/// <summary>Checks a model parameter's value when a run is submitted, before anything is stored: a reference that leaves
/// the configured model roots, names no model, or names one whose config, weights or tokenizer cannot be loaded is
/// refused with the reason. The export of a run that has not finished yet is accepted (a run may name the model of a
/// run still training); that run fails later if it is still missing.</summary>
public interface IModelReferenceCheck
{
    /// <summary>The error, or null when <paramref name="reference"/> names a usable model of the kind
    /// <paramref name="role"/> needs (or a pending export).</summary>
    string? Check(string reference, ModelRole role);

    /// <summary>The error when the <c>model</c> template is chosen for a model that has no chat template or one the
    /// engine cannot render (naming the construct); null otherwise, also when the model cannot be found (yet).</summary>
    string? CheckChatTemplate(string reference);

    /// <summary>The sizes of the model a reference names, for the run's memory estimate; null when it cannot be read (yet).</summary>
    Memory.ModelShape? ShapeOf(string reference) => null;
}
