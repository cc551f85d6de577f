using AlignLab.Core.Datasets;
using AlignLab.Core.Methods;
using AlignLab.Core.Tokenization;
using AlignLab.Training.Methods.Common;
using AlignLab.Training.Models;
using AlignLab.Training.Registry;

namespace AlignLab.Training.Methods.Evaluation;

/// <summary>A training run's <c>evaluate_with</c>: the evaluation sets its export is run on when training ends, as the evaluate
/// method does, so that the run has its own evaluation and leaderboard. Every training method with an export declares the
/// parameter through <see cref="EvaluateWith{T}"/> and calls <see cref="RunAsync"/> after exporting.</summary>
public static class ExportEvaluation
{
    public const string ParameterName = "evaluate_with";

    public const string CheckpointsParameterName = "evaluate_checkpoints";

    /// <summary>The <c>evaluate_with</c> parameter, empty by default, and <c>evaluate_checkpoints</c>, off by default.</summary>
    public static ParameterSchema<T> EvaluateWith<T>(this ParameterSchema<T> schema, System.Linq.Expressions.Expression<Func<T, IReadOnlyList<string>>> sets,
        System.Linq.Expressions.Expression<Func<T, bool>> checkpoints)
        where T : class =>
        schema.Datasets(sets, ParameterName, [EvaluateMethod.DemoChoices, EvaluateMethod.DemoGeneration], EvaluateRunOptions.MaxSets,
                "Evaluation sets to run the exported model on when training ends (as the evaluate method does, with the run's template); the results " +
                "are the run's evaluation and leaderboard. Empty: none.", DatasetKinds.Evaluation, minCount: 0)
            .Boolean(checkpoints, CheckpointsParameterName,
                "Also evaluate the model being trained on evaluate_with during training: every eval_every steps (SFT, FIGA) or best_every steps " +
                "(PPO, R³, where the best checkpoint is chosen), the last step's model being the export. Each step is a row of the run's " +
                "leaderboard (\"step 40\") and each result a curve, to choose the best epoch or checkpoint.");

    /// <summary>The name a checkpoint evaluated during training has on the run's leaderboard.</summary>
    public static string CheckpointName(long step) => $"step {step}";

    /// <summary>Evaluates the model being trained, as it is at <paramref name="step"/>, on <paramref name="sets"/> when the run
    /// asked for checkpoint evaluations; its results are reported at that step.</summary>
    public static Task AtCheckpointAsync(IRunContext context, ModelRegistry registry, IDatasetStore? datasets, IReadOnlyList<string> sets, bool enabled,
        ITrainingOptions training, long step, CausalLM model, TextTokenizer tokenizer, string rewardModel = "", int maxNewTokens = 64)
    {
        if (!enabled || sets.Count == 0) return Task.CompletedTask;
        var name = CheckpointName(step);
        return new EvaluateMethod(registry, datasets).EvaluateAsync(context, Options(name, sets, training, rewardModel, maxNewTokens), registry.Resolve,
            afterTraining: step, inMemory: (name, model, tokenizer));
    }

    private static EvaluateRunOptions Options(string model, IReadOnlyList<string> sets, ITrainingOptions training, string rewardModel, int maxNewTokens) => new()
    {
        Models = [model], Sets = sets, Template = training.Model.Template, RewardModel = rewardModel, MaxNewTokens = maxNewTokens,
        BatchSize = training.Optimization.BatchSize, Runtime = training.Runtime,
    };

    /// <summary>Evaluates the run's export (named <c>runs/{id}/export</c>) on <paramref name="sets"/>, if there are any; the
    /// results are reported at <paramref name="step"/>, the run's last.</summary>
    public static async Task RunAsync(IRunContext context, ModelRegistry registry, IDatasetStore? datasets, IReadOnlyList<string> sets, ITrainingOptions training,
        long step, string rewardModel = "", int maxNewTokens = 64)
    {
        if (sets.Count == 0) return;
        var export = $"runs/{context.RunId}/export";
        await new EvaluateMethod(registry, datasets).EvaluateAsync(context, Options(export, sets, training, rewardModel, maxNewTokens), reference => reference == export ? Path.Combine(context.ArtifactDirectory, "export") : registry.Resolve(reference), afterTraining: step);
    }
}
