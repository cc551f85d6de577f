using AlignLab.Core.Runs;

namespace AlignLab.Core.Construction;

/// <summary>The dataset an SPA construction run makes, whether its last instance was revised by the reviser or by an annotator.</summary>
public static class ConstructedDataset
{
    public static string Name(string runName, Guid runId) => $"{runName} (SPA from run {runId.Short()})";
}
