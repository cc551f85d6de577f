using AlignLab.Core.Datasets;
using AlignLab.Core.Methods;
using AlignLab.Training.Methods.Common;
using AlignLab.Training.Registry;

namespace AlignLab.Training.Methods.Evaluation;

/// <summary>A training run's <c>evaluate_with</c>: the evaluation sets its export is run on when training ends, as the evaluate
/// method does, so that the run has its own evaluation and leaderboard. Every training method with an export declares the
/// parameter through <see cref="EvaluateWith{T}"/> and calls <see cref="RunAsync"/> after exporting.</summary>
public static class ExportEvaluation
{
    public const string ParameterName = "evaluate_with";

    /// <summary>The <c>evaluate_with</c> parameter, empty by default.</summary>
    public static ParameterSchema<T> EvaluateWith<T>(this ParameterSchema<T> schema, System.Linq.Expressions.Expression<Func<T, IReadOnlyList<string>>> property)
        where T : class =>
        schema.Datasets(property, ParameterName, [EvaluateMethod.DemoChoices, EvaluateMethod.DemoGeneration], EvaluateRunOptions.MaxSets,
            "Evaluation sets to run the exported model on when training ends (as the evaluate method does, with the run's template); the results " +
            "are the run's evaluation and leaderboard. Empty: none.", DatasetKinds.Evaluation, minCount: 0);

    /// <summary>Evaluates the run's export (named <c>runs/{id}/export</c>) on <paramref name="sets"/>, if there are any; the
    /// results are reported at <paramref name="step"/>, the run's last.</summary>
    public static async Task RunAsync(IRunContext context, ModelRegistry registry, IDatasetStore? datasets, IReadOnlyList<string> sets, ITrainingOptions training,
        long step, string rewardModel = "", int maxNewTokens = 64)
    {
        if (sets.Count == 0) return;
        var export = $"runs/{context.RunId}/export";
        await new EvaluateMethod(registry, datasets).EvaluateAsync(context, new EvaluateRunOptions
        {
            Models = [export], Sets = sets, Template = training.Model.Template, RewardModel = rewardModel, MaxNewTokens = maxNewTokens,
            BatchSize = training.Optimization.BatchSize, Runtime = training.Runtime,
        }, reference => reference == export ? Path.Combine(context.ArtifactDirectory, "export") : registry.Resolve(reference), afterTraining: step);
    }
}
