using AlignLab.Core.Models;
using AlignLab.Data.Runs;

namespace AlignLab.Web.Models;

/// <summary>What a person calls a model a run exported: the run's name, not "runs/{id}/export".</summary>
public sealed class ExportNames(RunRepository runs)
{
    /// <summary>The run id behind an export reference, or null for a model folder.</summary>
    public static Guid? RunOf(ModelEntry entry) =>
        entry.Exported && entry.Name.Split('/') is ["runs", var id, "export"] && Guid.TryParse(id, out var runId) ? runId : null;

    /// <summary>The run names of the exported entries among <paramref name="entries"/>, by reference.</summary>
    public async Task<IReadOnlyDictionary<string, string>> ForAsync(IEnumerable<ModelEntry> entries, CancellationToken cancellationToken = default)
    {
        var exports = entries.Select(e => (e.Name, Run: RunOf(e))).Where(e => e.Run is not null).ToList();
        var names = await runs.NamesAsync([.. exports.Select(e => e.Run!.Value)], cancellationToken);
        return exports.Where(e => names.ContainsKey(e.Run!.Value)).ToDictionary(e => e.Name, e => names[e.Run!.Value]);
    }
}
