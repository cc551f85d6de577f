namespace AlignLab.Core.Methods;

/// <summary>Checks a dataset parameter's value when a run is submitted, before anything is stored: an id that names no
/// dataset, or one of a kind the parameter does not take (a preference dataset as an evaluation set), is refused with
/// the reason instead of failing the run on its worker.</summary>
public interface IDatasetReferenceCheck
{
    /// <summary>The error, or null when <paramref name="id"/> names a dataset of one of <paramref name="kinds"/> (any
    /// kind when null).</summary>
    string? Check(Guid id, IReadOnlyList<string>? kinds);
}
