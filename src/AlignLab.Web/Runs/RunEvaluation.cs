using System.Text.Json;
using AlignLab.Core.Evaluation;
using AlignLab.Core.Text;
using AlignLab.Jobs.Execution;

namespace AlignLab.Web.Runs;

/// <summary>An evaluation run's results, item records and judgements (win rate and relevance), as GET /api/runs/{id}/evaluation returns them: the results once
/// the run has computed them (none before), and every item scored so far, in the order they were scored.</summary>
public sealed class RunEvaluation(RunArtifacts artifacts)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The models an evaluation names, in its order; a training run that evaluates its export names that.</summary>
    public static IReadOnlyList<string> ModelsOf(Core.Runs.RunSpec spec, Guid runId) =>
        spec.Parameters.GetValueOrDefault("models") is System.Text.Json.Nodes.JsonArray models ? [.. models.Select(m => m!.GetValue<string>())] : [$"runs/{runId}/export"];

    public async Task<EvaluationArtifacts.Evaluation> ReadAsync(Guid runId, CancellationToken cancellationToken)
    {
        var results = await ReadResultsAsync(runId, cancellationToken);
        // The line being written while this reads it is left for the next read.
        var items = JsonLines.Read<EvaluationArtifacts.ItemRow>(artifacts.PathOf(runId, EvaluationArtifacts.ItemsFile), Json);
        var judgements = JsonLines.Read<EvaluationArtifacts.JudgementRow>(artifacts.PathOf(runId, EvaluationArtifacts.JudgementsFile), Json);
        var relevance = JsonLines.Read<EvaluationArtifacts.RelevanceRow>(artifacts.PathOf(runId, EvaluationArtifacts.RelevanceFile), Json);
        return new EvaluationArtifacts.Evaluation(results, items, judgements, relevance);
    }

    /// <summary>Only the results (what the leaderboard, its CSV and the comparison page show), without reading every item.</summary>
    public async Task<IReadOnlyList<EvaluationArtifacts.ResultRow>> ReadResultsAsync(Guid runId, CancellationToken cancellationToken) =>
        (await artifacts.ReadJsonAsync<List<EvaluationArtifacts.ResultRow>>(runId, EvaluationArtifacts.ResultsFile, cancellationToken)).Item1 ?? [];
}
