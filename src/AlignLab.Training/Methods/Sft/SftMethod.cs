using System.Diagnostics;
using AlignLab.Core.Datasets;
using AlignLab.Core.Methods;
using AlignLab.Training.Batching;
using AlignLab.Training.Inference;
using AlignLab.Training.Methods.Common;
using AlignLab.Training.Methods.Evaluation;
using AlignLab.Training.Models;
using AlignLab.Training.Registry;
using static TorchSharp.torch;

namespace AlignLab.Training.Methods.Sft;

/// <summary>Supervised fine-tuning: next-token cross-entropy on the response tokens only (the prompt conditions but
/// is not learned). AdamW with warmup and a decay schedule, gradient accumulation and clipping; evaluation loss
/// on a held-out split; checkpoints every N steps and on cancel; the result exported as a Hugging Face folder.</summary>
public sealed class SftMethod(ModelRegistry registry, IDatasetStore? datasets = null) : ITrainingMethod
{
    public const string Name = MethodNames.Sft;

    public MethodDescriptor Descriptor { get; } = new(
        Name,
        "Supervised fine-tuning",
        "Fine-tunes a causal LM on (prompt, response) pairs with the loss on response tokens only.",
        "gpu",
        SftRunOptions.Schema.Specs(SftRunOptions.Defaults));

    public async Task RunAsync(IRunContext context)
    {
        var o = SftRunOptions.Schema.Bind(context.Parameters, SftRunOptions.Defaults);
        var (optimization, accumulation) = (o.Optimization, o.Optimization.GradAccum);
        using var session = TrainingSession.Open(context, registry, o);
        var examples = await SftData.ExamplesAsync(o.Dataset, datasets, context.CancellationToken);
        var (train, eval) = SftData.Split(examples, session.Tokenizer, session.Template, optimization.MaxLength, optimization.EvalFraction, o.Runtime.Seed);
        var batches = new ShuffledBatches<(int[] Prompt, int[] Response)>(train, optimization.BatchSize, o.Runtime.Seed);
        session.PlanEpochs(train.Count);

        context.Metrics.ReportProgress(session.Step, session.MaxSteps);
        if (session.Step == 0) Evaluate(0);
        while (session.Step < session.MaxSteps)
        {
            await session.StopIfCancelledAsync(context);
            using (var scope = NewDisposeScope())
            {
                var clock = Stopwatch.StartNew();
                var learningRate = session.BeginStep();
                double lossSum = 0;
                long tokens = 0;
                for (int micro = 0; micro < accumulation; micro++)
                {
                    var batch = ResponseBatch.Pad(batches.Get(session.Step * accumulation + micro), session.Tokenizer.PadTokenId, session.Device);
                    var loss = ResponseLoss(session.Model, batch);
                    session.Backward(loss / accumulation);
                    lossSum += loss.item<float>();
                    tokens += batch.Tokens;
                }
                var gradNorm = session.EndStep(optimization.MaxGradNorm);

                context.Metrics.Report(session.Step, "loss", lossSum / accumulation);
                context.Metrics.Report(session.Step, "lr", learningRate);
                context.Metrics.Report(session.Step, "grad_norm", gradNorm);
                context.Metrics.Report(session.Step, "tokens_per_s", tokens / clock.Elapsed.TotalSeconds);
            }
            if (session.ShouldEvaluate())
            {
                Evaluate(session.Step);
                // The last step's model is the export, which evaluate_with evaluates after training.
                if (session.Step < session.MaxSteps) await ExportEvaluation.AtCheckpointAsync(context, registry, datasets, o.EvaluateWith, o.EvaluateCheckpoints, o, session.Step, session.Model, session.Tokenizer);
            }
            await session.EndOfStepAsync(context);
        }
        session.Export(context);
        await ExportEvaluation.RunAsync(context, registry, datasets, o.EvaluateWith, o, session.Step);

        void Evaluate(long step)
        {
            if (eval.Count > 0)
                context.Metrics.Report(step, "eval_loss", EvaluationLoss(session.Model, eval, optimization.BatchSize, session.Tokenizer.PadTokenId, session.Device));
        }
    }

    /// <summary>Mean cross-entropy of the response tokens (prompt and padding positions ignored).</summary>
    public static Tensor ResponseLoss(CausalLM model, ResponseBatch batch)
    {
        var tokens = TokenLogProbs.OfResponses(model, batch.InputIds, batch.ResponseMask, batch.Unpadded(), withEntropy: false);
        return tokens.Nll.sum() / tokens.Mask.sum().clamp_min(1);
    }

    public static double EvaluationLoss(CausalLM model, IReadOnlyList<(int[] Prompt, int[] Response)> examples, int batchSize, int padTokenId, Device device)
    {
        double total = 0;
        long count = 0;
        using (EvalMode.Enter(model))
            for (int start = 0; start < examples.Count; start += batchSize)
            {
                using var scope = NewDisposeScope();
                var chunk = examples.Skip(start).Take(batchSize).ToList();
                var batch = ResponseBatch.Pad(chunk, padTokenId, device);
                var tokens = chunk.Sum(e => e.Response.Length);
                total += ResponseLoss(model, batch).item<float>() * tokens;
                count += tokens;
            }
        return total / Math.Max(1, count);
    }
}
