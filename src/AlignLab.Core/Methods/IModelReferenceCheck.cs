namespace AlignLab.Core.Methods;

/// <summary>Checks a model parameter's value when a run is submitted: a reference that leaves the configured model
/// roots is refused then, before anything is stored. A model that does not exist yet is not an error here (a run may
/// name the export of a run still training); the run fails later if it is still missing.</summary>
public interface IModelReferenceCheck
{
    /// <summary>The error, or null when <paramref name="reference"/> stays inside the roots.</summary>
    string? Check(string reference);
}
