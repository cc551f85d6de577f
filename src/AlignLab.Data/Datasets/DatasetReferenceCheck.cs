using System.Collections.Concurrent;
using AlignLab.Core.Datasets;
using AlignLab.Core.Methods;
using Dapper;
using Npgsql;

namespace AlignLab.Data.Datasets;

/// <summary>The dataset check of run submission, against the datasets table. A dataset's kind never changes and a
/// dataset is never deleted (only archived, kept whole for the runs that name it), so a kind once read is remembered.</summary>
public sealed class DatasetReferenceCheck(NpgsqlDataSource dataSource) : IDatasetReferenceCheck
{
    private readonly ConcurrentDictionary<Guid, (string Name, string Kind)> _known = new();

    public string? Check(Guid id, IReadOnlyList<string>? kinds)
    {
        if (!_known.TryGetValue(id, out var dataset))
        {
            using var connection = dataSource.OpenConnection();
            var row = connection.QuerySingleOrDefault<(string Name, string Kind)?>("SELECT name, kind FROM datasets WHERE id = @id", new { id });
            if (row is not { } found) return $"no dataset {id}";
            _known[id] = dataset = found;
        }
        if (kinds is null || kinds.Contains(dataset.Kind)) return null;
        return $"dataset {id} ('{dataset.Name}') is a {DatasetLayout.For(dataset.Kind).Title} dataset; this takes " +
               string.Join(" or ", kinds.Select(k => DatasetLayout.For(k).Title)) + " datasets";
    }
}
