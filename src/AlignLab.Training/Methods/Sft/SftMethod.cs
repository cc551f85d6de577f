using System.Diagnostics;
using AlignLab.Core.Datasets;
using AlignLab.Core.Methods;
using AlignLab.Training.Batching;
using AlignLab.Training.Methods.Common;
using AlignLab.Training.Models;
using AlignLab.Training.Registry;
using F = TorchSharp.torch.nn.functional;
using static TorchSharp.torch;

namespace AlignLab.Training.Methods.Sft;

/// <summary>Supervised fine-tuning: next-token cross-entropy on the response tokens only (the prompt conditions but
/// is not learned). AdamW with warmup and a decay schedule, gradient accumulation and clipping; evaluation loss
/// on a held-out split; checkpoints every N steps and on cancel; the result exported as a Hugging Face folder.</summary>
public sealed class SftMethod(ModelRegistry registry, IDatasetStore? datasets = null) : ITrainingMethod
{
    public const string Name = "sft";

    public MethodDescriptor Descriptor { get; } = new(
        Name,
        "Supervised fine-tuning",
        "Fine-tunes a causal LM on (prompt, response) pairs with the loss on response tokens only.",
        "gpu",
        [
            .. TrainingParameters.Model(),
            ParameterSpec.Dataset("dataset", SftData.Demo, SftData.BuiltIn,
                "(Instruction, response) pairs: a stored dataset's instruction, input and output; the built-in demo instructions; or demo-spa-initial, the initial (wrong) answers of the demo SPA pairs (a policy for FIGA to correct).",
                DatasetLayout.KindsWith(RecordPart.Instruction, RecordPart.Output)),
            // 1e-3 with cosine decay trains the demo model from scratch in minutes; use ~1e-5 for pretrained models.
            .. TrainingParameters.Optimization(learningRate: 1e-3, schedule: "cosine", warmupSteps: 20, maxSteps: 300, batchSize: 16, gradAccum: 1, weightDecay: 0.01),
            .. TrainingParameters.Lora(),
            .. TrainingParameters.Runtime(),
        ]);

    public async Task RunAsync(IRunContext context)
    {
        var p = context.Parameters;
        int batchSize = p.GetInt32("batch_size"), accumulation = p.GetInt32("grad_accum");
        using var session = TrainingSession.Open(context, registry);
        var examples = await SftData.ExamplesAsync(p.GetString("dataset"), datasets, context.CancellationToken);
        var (train, eval) = SftData.Split(examples, session.Tokenizer, session.Template, p.GetInt32("max_length"),
            p.GetDouble("eval_fraction"), p.GetInt32("seed"));
        var batches = new ShuffledBatches<(int[] Prompt, int[] Response)>(train, batchSize, p.GetInt32("seed"));

        await session.TrainAsync(context, trainStep: () =>
        {
            var clock = Stopwatch.StartNew();
            var learningRate = session.BeginStep();
            double lossSum = 0;
            long tokens = 0;
            for (int micro = 0; micro < accumulation; micro++)
            {
                var batch = ResponseBatch.Pad(batches.Get(session.Step * accumulation + micro), session.Tokenizer.PadTokenId, session.Device);
                var loss = ResponseLoss(session.Model, batch);
                (loss / accumulation).backward();
                lossSum += loss.item<float>();
                tokens += batch.Tokens;
            }
            var gradNorm = session.EndStep(p.GetDouble("max_grad_norm"));
            context.Metrics.Report(session.Step, "loss", lossSum / accumulation);
            context.Metrics.Report(session.Step, "lr", learningRate);
            context.Metrics.Report(session.Step, "grad_norm", gradNorm);
            context.Metrics.Report(session.Step, "tokens_per_s", tokens / clock.Elapsed.TotalSeconds);
        }, evaluate: step =>
        {
            if (eval.Count > 0)
                context.Metrics.Report(step, "eval_loss", EvaluationLoss(session.Model, eval, batchSize, session.Tokenizer.PadTokenId, session.Device));
        });
    }

    /// <summary>Mean cross-entropy of the response tokens (prompt and padding positions ignored).</summary>
    public static Tensor ResponseLoss(CausalLM model, ResponseBatch batch)
    {
        var logits = model.Forward(batch.InputIds, batch.AttentionMask);                        // (B, T, V)
        var T = batch.InputIds.shape[1];
        var targets = batch.InputIds.narrow(1, 1, T - 1)
            .masked_fill(batch.ResponseMask.narrow(1, 1, T - 1).eq(0), -100);                    // (B, T-1)
        return F.cross_entropy(logits.narrow(1, 0, T - 1).reshape(-1, logits.shape[^1]).to(ScalarType.Float32),
            targets.reshape(-1), ignore_index: -100);
    }

    public static double EvaluationLoss(CausalLM model, IReadOnlyList<(int[] Prompt, int[] Response)> examples, int batchSize, int padTokenId, Device device)
    {
        var wasTraining = model.training;
        model.eval();
        double total = 0;
        long count = 0;
        using (no_grad())
            for (int start = 0; start < examples.Count; start += batchSize)
            {
                using var scope = NewDisposeScope();
                var chunk = examples.Skip(start).Take(batchSize).ToList();
                var batch = ResponseBatch.Pad(chunk, padTokenId, device);
                var tokens = chunk.Sum(e => e.Response.Length);
                total += ResponseLoss(model, batch).item<float>() * tokens;
                count += tokens;
            }
        model.train(wasTraining);
        return total / Math.Max(1, count);
    }
}
