using System.Diagnostics;
using System.Text.Json.Nodes;
using AlignLab.Core.Datasets;
using AlignLab.Core.Methods;
using AlignLab.Core.RewardModeling;
using AlignLab.Core.Runs;
using AlignLab.Training.Batching;
using AlignLab.Training.Methods.Common;
using AlignLab.Training.Models;
using AlignLab.Training.Registry;
using AlignLab.Training.Rewards;
using static TorchSharp.torch;

namespace AlignLab.Training.Methods.RewardModeling;

/// <summary>Reward-model training (“Aligning Large Language Models via Fine-grained Supervision”): a score head on the model's backbone, trained with Bradley–Terry on
/// preference pairs, at sequence level (reward at the last token) or token level (a reward per response token,
/// Eq. 1, trained on the changed tokens with Eq. 4, or Eq. 3). Exported as an HF *ForSequenceClassification folder
/// whose config says how to read the reward; evaluated by held-out pairwise accuracy; per-token rewards of the
/// held-out pairs are written for the heatmap viewer.</summary>
public sealed class RewardModelMethod(ModelRegistry registry, IDatasetStore? datasets = null) : ITrainingMethod
{
    public const string Name = MethodNames.RewardModel;

    public MethodDescriptor Descriptor { get; } = new(
        Name,
        "Reward model (sequence or token level)",
        "Train a reward model on preference pairs: sequence-level Bradley–Terry, or token-level rewards on minimally edited pairs (fine-grained token-level reward, as in “Aligning Large Language Models via Fine-grained Supervision”).",
        "gpu",
        RewardModelRunOptions.Schema.Specs(RewardModelRunOptions.Defaults));

    public async Task RunAsync(IRunContext context)
    {
        var o = RewardModelRunOptions.Schema.Bind(context.Parameters, RewardModelRunOptions.Defaults);
        var (optimization, accumulation, level) = (o.Optimization, o.Optimization.GradAccum, o.Level);
        var dataset = await DatasetParameter.LoadAsync(datasets, "dataset", o.Dataset, [RewardPairs.Demo], context.CancellationToken);
        var records = dataset.Require($"dataset (pairs {o.Pairs})", RewardPairs.Needs(o.Pairs));

        using var session = TrainingSession.Open(context, registry, o, model => new SequenceClassifier(model));
        var classifier = session.Module;
        session.ExportConfig[RewardModel.LevelKey] = level == RewardLoss.Level.Token ? "token" : "sequence";
        session.ExportConfig[RewardModel.PairsKey] = o.Pairs;
        var (trainRecords, evalRecords) = Split(records, optimization.EvalFraction, o.Runtime.Seed);
        List<RewardExample> Tokenize(IReadOnlyList<SpaRecord> part, string kind) =>
            DatasetLayout.For(dataset.Kind).Guarantees(RewardPairs.Needs(kind))
                ? RewardPairs.Tokenize(RewardPairs.From(part, kind), session.Tokenizer, session.Template, optimization.MaxLength, o.ChangedTokens) : [];
        var train = Tokenize(trainRecords, o.Pairs);
        // Held out: edited pairs where the dataset has them (the fine-grained question), and standard pairs where it has those.
        var evalEdited = Tokenize(evalRecords, RewardPairs.Edited);
        var evalOriginal = Tokenize(evalRecords, RewardPairs.Original);
        var evalPrimary = evalEdited.Count > 0 ? evalEdited : evalOriginal;
        if (train.Count == 0) throw new InvalidOperationException($"no pair of the dataset fits max_length {optimization.MaxLength}");
        var batches = new ShuffledBatches<RewardExample>(train, optimization.BatchSize, o.Runtime.Seed);
        session.PlanEpochs(train.Count);

        RewardEvaluation? latest = null;          // evaluated after the last step too, so this ends as the final model's
        context.Metrics.ReportProgress(session.Step, session.MaxSteps);
        if (session.Step == 0) Evaluate(0);
        while (session.Step < session.MaxSteps)
        {
            await session.StopIfCancelledAsync(context);
            using (var scope = NewDisposeScope())
            {
                var clock = Stopwatch.StartNew();
                var learningRate = session.BeginStep();
                double loss = 0, accuracy = 0, margin = 0;
                long tokens = 0;
                for (int micro = 0; micro < accumulation; micro++)
                {
                    // Bradley–Terry on the preferred-minus-other margin, per sequence or per changed token.
                    var batch = RewardBatch.Build(batches.Get(session.Step * accumulation + micro), session.Tokenizer.PadTokenId, session.Device);
                    var scores = classifier.Scores(batch.InputIds, unpadded: batch.Unpadded).select(2, 0).to(ScalarType.Float32);
                    var margins = RewardLoss.Margin(scores, batch, level, o.TokenObjective);
                    var microLoss = RewardLoss.Loss(margins);
                    session.Backward(microLoss / accumulation);
                    loss += microLoss.item<float>() / accumulation;
                    accuracy += margins.gt(0).to(ScalarType.Float32).mean().item<float>() / accumulation;
                    margin += margins.mean().item<float>() / accumulation;
                    tokens += batch.Tokens;
                }
                var gradNorm = session.EndStep(optimization.MaxGradNorm);

                var step = session.Step;
                context.Metrics.Report(step, "loss", loss);
                context.Metrics.Report(step, "accuracy", accuracy);
                context.Metrics.Report(step, "margin", margin);
                context.Metrics.Report(step, "lr", learningRate);
                context.Metrics.Report(step, "grad_norm", gradNorm);
                context.Metrics.Report(step, "tokens_per_s", tokens / clock.Elapsed.TotalSeconds);
            }
            if (session.ShouldEvaluate()) Evaluate(session.Step);
            await session.EndOfStepAsync(context);
        }
        session.Export(context);
        latest?.WriteDistribution(Path.Combine(context.ArtifactDirectory, RewardModelArtifacts.DistributionFile));
        RewardEvaluation.WriteTokenRewards(Path.Combine(context.ArtifactDirectory, RewardModelArtifacts.TokenRewardsFile), classifier, evalPrimary.Take(200).ToList(),
            session.Tokenizer, session.Device);

        // Held-out pairwise accuracy and mean rewards; on standard pairs too when the primary ones are edited pairs.
        void Evaluate(long step)
        {
            if (evalPrimary.Count == 0) return;
            // The heatmap at this step: the first held-out pairs' per-token rewards under the model as it is now.
            RewardEvaluation.WriteTokenRewards(StepSnapshots.PathFor(context.ArtifactDirectory, RewardModelArtifacts.TokenRewardsStepsFolder, step), classifier,
                [.. evalPrimary.Take(StepSnapshots.MaxPairs)], session.Tokenizer, session.Device);
            var primary = latest = RewardEvaluation.Measure(classifier, evalPrimary, level, optimization.BatchSize, session.Tokenizer.PadTokenId, session.Device);
            context.Metrics.Report(step, "eval_accuracy", primary.Accuracy);
            context.Metrics.Report(step, "eval_reward_preferred", primary.MeanPreferred);
            context.Metrics.Report(step, "eval_reward_other", primary.MeanOther);
            if (evalOriginal.Count > 0 && evalPrimary != evalOriginal)
                context.Metrics.Report(step, "eval_accuracy_original_pairs",
                    RewardEvaluation.Measure(classifier, evalOriginal, level, optimization.BatchSize, session.Tokenizer.PadTokenId, session.Device).Accuracy);
        }
    }

    /// <summary>A held-out split by record, so that both kinds of held-out pairs come from the same prompts.</summary>
    private static (List<SpaRecord> Train, List<SpaRecord> Eval) Split(IReadOnlyList<SpaRecord> records, double fraction, int seed)
    {
        var order = Enumerable.Range(0, records.Count).ToArray();
        new Random(seed).Shuffle(order);
        var evalCount = Math.Min((int)Math.Round(records.Count * fraction), records.Count - 1);
        return ([.. order.Skip(evalCount).Select(i => records[i])], [.. order.Take(evalCount).Select(i => records[i])]);
    }
}
