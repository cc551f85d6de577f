using System.Diagnostics;
using AlignLab.Core.Datasets;
using AlignLab.Core.Figa;
using AlignLab.Core.Methods;
using AlignLab.Training.Batching;
using AlignLab.Training.Methods.Common;
using AlignLab.Training.Registry;
using AlignLab.Training.Rewards;
using static TorchSharp.torch;

namespace AlignLab.Training.Methods.Figa;

/// <summary>FIGA (“Beyond Imitation: Leveraging Fine-grained Quality Signals for Alignment”): fine-tuning on (initial response Ŷ, minimal revision Ỹ) pairs with Levenshtein token
/// weights — reward Ỹ's added/substituted tokens (α), penalise Ŷ's deleted/substituted tokens the model is
/// confident in (β, NLL &lt; 0.6) — Eq. 1 and 2 of METHODS.md §1. Both sequences of a pair go through the model in
/// one batch. Held-out evaluation reports the mean log-probability of revised and initial responses and of the
/// rewarded and penalised tokens; per-token weights of the held-out pairs are written for the heatmap viewer.</summary>
public sealed class FigaMethod(ModelRegistry registry, IDatasetStore? datasets = null) : ITrainingMethod
{
    public const string Name = "figa";

    public MethodDescriptor Descriptor { get; } = new(
        Name,
        "FIGA: fine-grained quality-aware alignment",
        "Token-weighted fine-tuning on (initial response, minimal revision) pairs: reward added/substituted tokens, penalise deleted/substituted ones.",
        "gpu",
        [
            .. TrainingParameters.Model(),
            ParameterSpec.Dataset("dataset", FigaData.Demo, [FigaData.Demo], "(Initial, revised) pairs: an imported SPA or minimal-edit dataset, or demo-spa (built-in pairs: wrong fact → corrected fact).",
                DatasetLayout.KindsWith(FigaData.Needs)),
            ParameterSpec.Number("alpha", 1.0, 0, 100, "α (Eq. 1): weight of added/substituted tokens of the revision."),
            ParameterSpec.Number("beta", 0.5, 0, 100, "β (Eq. 1): penalty on deleted/substituted tokens of the initial response (paper ablations 0.2–0.5)."),
            ParameterSpec.Number("gamma", 0.0, 0, 100, "γ (Eq. 1): weight of unchanged tokens of the revision (0.3 hurts, Table 7)."),
            ParameterSpec.Number("nll_threshold", 0.6, 0, 100, "Penalise a token only if its NLL is below this (the model is confident in it)."),
            ParameterSpec.Choice("bad_selection", "threshold", ["threshold", "none", "inverted"], "Which penalised tokens count: NLL < threshold (paper), all, or NLL ≥ threshold (ablations)."),
            ParameterSpec.Model("reward_model", "", ModelRole.Reward, "Reward model folder for evaluation: mean reward of greedy generations on held-out prompts (empty: none)."),
            ParameterSpec.Integer("eval_generations", 32, 1, 100_000, "Held-out prompts answered for the reward evaluation."),
            ParameterSpec.Integer("eval_max_new_tokens", 64, 1, 8192, "Longest answer in the reward evaluation."),
            ParameterSpec.Choice("good_labels", "levenshtein", ["levenshtein", "bag_of_words"], "Rewarded tokens: Levenshtein inserts/replaces (paper), or tokens absent from Ŷ (ablation)."),
            // Paper: lr 1e-5 constant, batch 128 (here 8 × 16 accumulation), 5 epochs.
            .. TrainingParameters.Optimization(learningRate: 1e-5, schedule: "constant", warmupSteps: 0, maxSteps: 200, batchSize: 8, gradAccum: 16),
            .. TrainingParameters.Lora(),
            .. TrainingParameters.Runtime(),
        ]);

    public static FigaOptions Options(MethodParameters p) => new()
    {
        Alpha = p.GetDouble("alpha"),
        Beta = p.GetDouble("beta"),
        Gamma = p.GetDouble("gamma"),
        NllThreshold = p.GetDouble("nll_threshold"),
        Selection = p.GetString("bad_selection") switch { "none" => BadTokenSelection.None, "inverted" => BadTokenSelection.Inverted, _ => BadTokenSelection.Threshold },
        GoodLabels = p.GetString("good_labels") == "bag_of_words" ? GoodTokenLabels.BagOfWords : GoodTokenLabels.Levenshtein,
    };

    public async Task RunAsync(IRunContext context)
    {
        var p = context.Parameters;
        var options = Options(p);
        int batchSize = p.GetInt32("batch_size"), accumulation = p.GetInt32("grad_accum");
        var records = await FigaData.RecordsAsync(p.GetString("dataset"), datasets, context.CancellationToken);
        using var session = TrainingSession.Open(context, registry);
        // Loaded before training so that a wrong folder fails the run at once, not at the first evaluation.
        using var rewardModel = p.GetString("reward_model") is { Length: > 0 } rewardFolder ? RewardModel.Load(registry.Resolve(rewardFolder), session.Device) : null;
        var (train, eval) = FigaData.Load(records, session.Tokenizer, session.Template, options,
            p.GetInt32("max_length"), p.GetDouble("eval_fraction"), p.GetInt32("seed"));
        var batches = new ShuffledBatches<FigaExample>(train, batchSize, p.GetInt32("seed"));

        await session.TrainAsync(context, trainStep: () =>
        {
            var clock = Stopwatch.StartNew();
            var learningRate = session.BeginStep();
            double loss = 0, goodLoss = 0, badLoss = 0;
            long goodTokens = 0, badKept = 0, badDropped = 0, tokens = 0;
            for (int micro = 0; micro < accumulation; micro++)
            {
                var batch = FigaBatch.Build(batches.Get(session.Step * accumulation + micro), session.Tokenizer.PadTokenId, session.Device);
                var logits = session.Model.Forward(batch.InputIds, batch.AttentionMask);                  // (2B, T, V)
                var result = FigaLoss.Compute(FigaLoss.TokenCrossEntropy(logits, batch.InputIds), batch.Weights, options);
                (result.Loss / accumulation).backward();
                loss += result.Loss.item<float>() / accumulation;
                goodLoss += result.GoodLoss / accumulation;
                badLoss += result.BadLoss / accumulation;
                (goodTokens, badKept, badDropped) = (goodTokens + result.GoodTokens, badKept + result.BadKept, badDropped + result.BadDropped);
                tokens += batch.Tokens;
            }
            var gradNorm = session.EndStep(p.GetDouble("max_grad_norm"));
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
        }, evaluate: step =>
        {
            if (eval.Count == 0) return;
            foreach (var (name, value) in FigaEvaluation.Measure(session.Model, eval, batchSize, session.Tokenizer.PadTokenId, session.Device).Metrics())
                context.Metrics.Report(step, name, value);
            if (rewardModel is not null)
                context.Metrics.Report(step, "eval_reward", GenerationReward.Mean(session.Model, session.Tokenizer, rewardModel,
                    [.. eval.Take(p.GetInt32("eval_generations")).Select(e => new GenerationReward.Prompt(e.Instruction, e.Input, e.Prompt))],
                    session.Template, p.GetInt32("eval_max_new_tokens"), batchSize));
        });
        FigaTokenWeights.Write(Path.Combine(context.ArtifactDirectory, FigaTokenWeights.FileName), session.Model, session.Tokenizer, eval, options, session.Device);
    }
}
