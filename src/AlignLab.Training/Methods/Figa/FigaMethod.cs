using System.Diagnostics;
using System.Text.Json.Nodes;
using AlignLab.Core.Datasets;
using AlignLab.Core.Figa;
using AlignLab.Core.Methods;
using AlignLab.Core.Runs;
using AlignLab.Training.Batching;
using AlignLab.Training.Inference;
using AlignLab.Training.Methods.Common;
using AlignLab.Training.Methods.Evaluation;
using AlignLab.Training.Registry;
using AlignLab.Training.Rewards;
using static TorchSharp.torch;

namespace AlignLab.Training.Methods.Figa;

/// <summary>FIGA (“Beyond Imitation: Leveraging Fine-grained Quality Signals for Alignment”): fine-tuning on (initial response Ŷ, minimal revision Ỹ) pairs with Levenshtein token
/// weights — reward Ỹ's added/substituted tokens (α), penalise Ŷ's deleted/substituted tokens the model is
/// confident in (β, NLL &lt; 0.6) — Eq. 1 and 2 (docs/methods.md, FIGA). Both sequences of a pair go through the model in
/// one batch. Held-out evaluation reports the mean log-probability of revised and initial responses and of the
/// rewarded and penalised tokens; per-token weights of the held-out pairs are written for the heatmap viewer.</summary>
public sealed class FigaMethod(ModelRegistry registry, IDatasetStore? datasets = null, ITokenImportanceAnnotator? annotator = null) : ITrainingMethod
{
    public const string Name = MethodNames.Figa;

    public MethodDescriptor Descriptor { get; } = new(
        Name,
        "FIGA: fine-grained quality-aware alignment",
        "Token-weighted fine-tuning on (initial response, minimal revision) pairs: reward added/substituted tokens, penalise deleted/substituted ones.",
        "gpu",
        FigaRunOptions.Schema.Specs(FigaRunOptions.Defaults))
    {
        Presets = Presets.Of(FigaRunOptions.Schema, FigaRunOptions.Paper, FigaRunOptions.Demo),
        LinkedDefaults = [FigaRunOptions.BetaOfTable5Variants],
    };

    /// <summary>Table 5's variants need what they weigh by: R(·) a reward model, the LLM-scored ones an endpoint.</summary>
    public IReadOnlyDictionary<string, string> CheckCombination(IReadOnlyDictionary<string, JsonNode?> parameters, string? preset)
    {
        var errors = new Dictionary<string, string>();
        string Text(string name) => parameters.GetValueOrDefault(name)?.GetValue<string>() ?? "";
        if (Text("reward_weights") is not ("" or "none") && Text("reward_model").Length == 0)
            errors["reward_model"] = "required with reward_weights: the reward model that scores each pair's responses";
        if (Text("good_labels") is "llm_weighted" or "llm_binary" && EndpointAvailability.Problem(annotator, annotator?.NotConfiguredReason) is { } why)
            errors["good_labels"] = $"{Text("good_labels")} asks an LLM to score the revisions' words, but {why}";
        return errors;
    }

    public async Task RunAsync(IRunContext context)
    {
        var o = FigaRunOptions.Schema.Bind(context.Parameters, FigaRunOptions.Defaults);
        var (optimization, accumulation) = (o.Optimization, o.Optimization.GradAccum);
        var perPass = FigaPasses.MicroBatchesPerPass(o.MicroBatchesPerPass, accumulation);
        var records = await FigaData.RecordsAsync(o.Dataset, datasets, context.CancellationToken);
        using var session = TrainingSession.Open(context, registry, o);
        // Loaded before training so that a wrong folder fails the run at once, not at the first evaluation.
        using var rewardModel = o.RewardModel is { Length: > 0 } folder ? RewardModel.Load(registry.Resolve(folder), session.Device) : null;
        // Table 5's variants: an LLM's scores of each revision's words, or α and β from the reward model's scores.
        var signals = await FigaVariants.SignalsAsync(records, o, annotator, rewardModel, session.Template, context);
        var (train, eval, fitting) = FigaData.Load(records, session.Tokenizer, session.Template, o.Figa, optimization.MaxLength, o.OverlongPairs,
            optimization.EvalFraction, o.Runtime.Seed, o.Joining, signals);
        var batches = new ShuffledBatches<FigaExample>(train, optimization.BatchSize, o.Runtime.Seed);
        session.PlanEpochs(train.Count);

        context.Metrics.ReportProgress(session.Step, session.MaxSteps);
        if (session.Step == 0)
        {
            // How the pairs were fitted into max_length, reported once per run.
            context.Metrics.Report(0, "pairs_truncated", fitting.Truncated);
            context.Metrics.Report(0, "tokens_truncated", fitting.TokensCut);
            context.Metrics.Report(0, "pairs_dropped", fitting.Dropped);
            Evaluate(0);
        }
        while (session.Step < session.MaxSteps)
        {
            await session.StopIfCancelledAsync(context);
            using (var scope = NewDisposeScope())
            {
                var clock = Stopwatch.StartNew();
                var learningRate = session.BeginStep();
                double loss = 0, goodLoss = 0, badLoss = 0;
                long goodTokens = 0, badKept = 0, badDropped = 0, tokens = 0, computed = 0;
                // A pair's rows begin with the same prompt, computed once unless the passes draw dropout (Unpadding).
                var sharesPrefixes = session.Model.ComputesSharedPrefixesOnce();
                for (int first = 0; first < accumulation; first += perPass)
                {
                    // Revisions and initial responses of micro_batches_per_pass micro-batches in one batch; each token weighted
                    // by Eq. 1, each micro-batch's loss by Eq. 2 over its own tokens.
                    var microBatches = Enumerable.Range(first, Math.Min(perPass, accumulation - first))
                        .Select(micro => batches.Get(session.Step * accumulation + micro)).ToList();
                    var batch = FigaBatch.Build(microBatches, session.Tokenizer.PadTokenId, session.Device);
                    var tokenCe = TokenLogProbs.OfResponses(session.Model, batch.InputIds, batch.ResponseMask, batch.Unpadded,
                        withEntropy: false).Nll;                                                                                   // (2B, T)
                    var result = FigaLoss.Compute(tokenCe, batch.Weights, batch.Rewarded, o.Figa, batch.Groups, batch.MicroBatches);
                    session.Backward(result.Loss / accumulation);
                    loss += result.LossValue / accumulation;
                    goodLoss += result.GoodLoss / accumulation;
                    badLoss += result.BadLoss / accumulation;
                    (goodTokens, badKept, badDropped) = (goodTokens + result.GoodTokens, badKept + result.BadKept, badDropped + result.BadDropped);
                    tokens += batch.Tokens;
                    computed += sharesPrefixes ? batch.Unpadded.Tokens : batch.Unpadded.RealTokens;
                }
                var gradNorm = session.EndStep(optimization.MaxGradNorm);

                var step = session.Step;
                context.Metrics.Report(step, "loss", loss);
                context.Metrics.Report(step, "good_token_loss", goodLoss);
                context.Metrics.Report(step, "bad_token_loss", badLoss);
                context.Metrics.Report(step, "good_tokens", goodTokens);
                context.Metrics.Report(step, "bad_tokens_kept", badKept);
                context.Metrics.Report(step, "bad_tokens_dropped", badDropped);
                context.Metrics.Report(step, "lr", learningRate);
                context.Metrics.Report(step, "grad_norm", gradNorm);
                context.Metrics.Report(step, "tokens_per_s", tokens / clock.Elapsed.TotalSeconds);
                context.Metrics.Report(step, "shared_token_fraction", 1 - (double)computed / tokens);
            }
            if (session.ShouldEvaluate())
            {
                Evaluate(session.Step);
                // The last step's model is the export, which evaluate_with evaluates after training.
                if (session.Step < session.MaxSteps) await ExportEvaluation.AtCheckpointAsync(context, registry, datasets, o.EvaluateWith, o.EvaluateCheckpoints, o, session.Step, session.Model,
                    session.Tokenizer, o.RewardModel, o.EvalMaxNewTokens);
            }
            await session.EndOfStepAsync(context);
        }
        session.Export(context);
        FigaTokenWeights.Write(Path.Combine(context.ArtifactDirectory, FigaTokenWeights.FileName), session.Model, session.Tokenizer, eval, o.Figa, session.Device);
        // The export on the evaluation sets the run names: the run's own evaluation and leaderboard.
        await ExportEvaluation.RunAsync(context, registry, datasets, o.EvaluateWith, o, session.Step, o.RewardModel, o.EvalMaxNewTokens);

        // Held-out log-probabilities of revised, initial, rewarded and penalised tokens; the reward of greedy answers.
        void Evaluate(long step)
        {
            if (eval.Count == 0) return;
            // The heatmap at this step: the first held-out pairs' weights and NLLs under the model as it is now.
            FigaTokenWeights.Write(StepSnapshots.PathFor(context.ArtifactDirectory, FigaArtifacts.TokenWeightsStepsFolder, step), session.Model, session.Tokenizer,
                [.. eval.Take(StepSnapshots.MaxPairs)], o.Figa, session.Device);
            foreach (var (name, value) in FigaEvaluation.Measure(session.Model, eval, optimization.BatchSize, session.Tokenizer.PadTokenId, session.Device).Metrics())
                context.Metrics.Report(step, name, value);
            if (rewardModel is not null)
                context.Metrics.Report(step, "eval_reward", GenerationReward.Mean(session.Model, session.Tokenizer, rewardModel,
                    [.. eval.Take(o.EvalGenerations).Select(e => new GenerationReward.Prompt(e.Instruction, e.Input, e.Prompt))],
                    session.Template, o.EvalMaxNewTokens, optimization.BatchSize));
        }
    }
}
