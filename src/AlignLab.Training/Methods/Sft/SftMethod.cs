using System.Diagnostics;
using AlignLab.Core.Methods;
using AlignLab.Core.Training;
using AlignLab.Training.Adapters;
using AlignLab.Training.Demo;
using AlignLab.Training.Models;
using AlignLab.Training.Optimization;
using AlignLab.Training.Registry;
using AlignLab.Training.Runtime;
using AlignLab.Training.Tokenization;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace AlignLab.Training.Methods.Sft;

/// <summary>Supervised fine-tuning: next-token cross-entropy on the response tokens only (the prompt conditions but
/// is not learned). AdamW with warmup and a decay schedule, gradient accumulation and clipping; evaluation loss
/// on a held-out split; checkpoints every N steps and on cancel; the result exported as a Hugging Face folder.</summary>
public sealed class SftMethod(ModelRegistry registry) : ITrainingMethod
{
    public const string Name = "sft";

    public MethodDescriptor Descriptor { get; } = new(
        Name,
        "Supervised fine-tuning",
        "Fine-tunes a causal LM on (prompt, response) pairs with the loss on response tokens only.",
        "gpu",
        [
            ParameterSpec.Text("model", DemoModel.Name, 400, "Model folder (config.json, safetensors, tokenizer) under a model root."),
            ParameterSpec.Choice("dataset", "demo", ["demo"], "Training pairs: the built-in demo instructions."),
            ParameterSpec.Choice("template", "alpaca", ["alpaca", "plain", "chat"], "Prompt template around instruction and input."),
            ParameterSpec.Number("learning_rate", 1e-3, 1e-8, 1, "Peak AdamW learning rate (1e-3 trains the demo model from scratch; use ~1e-5 for pretrained models)."),
            ParameterSpec.Number("weight_decay", 0.01, 0, 1, "AdamW weight decay on weight matrices."),
            ParameterSpec.Choice("schedule", "cosine", ["constant", "cosine", "linear"], "Learning-rate decay after warmup."),
            ParameterSpec.Integer("warmup_steps", 20, 0, 100_000, "Optimizer steps of linear warmup."),
            ParameterSpec.Integer("max_steps", 300, 1, 10_000_000, "Optimizer steps to train."),
            ParameterSpec.Integer("batch_size", 16, 1, 4096, "Examples per micro-batch."),
            ParameterSpec.Integer("grad_accum", 1, 1, 1024, "Micro-batches per optimizer step."),
            ParameterSpec.Number("max_grad_norm", 1.0, 0, 1000, "Clip the global gradient norm (0: no clipping)."),
            ParameterSpec.Integer("max_length", 128, 8, 32_768, "Longest prompt + response in tokens; longer pairs are dropped."),
            ParameterSpec.Number("eval_fraction", 0.05, 0, 0.5, "Share of pairs held out for the evaluation loss."),
            ParameterSpec.Integer("eval_every", 50, 0, 1_000_000, "Evaluate every N steps (0: only at the end)."),
            ParameterSpec.Integer("checkpoint_every", 100, 0, 1_000_000, "Checkpoint every N steps (0: only on cancel)."),
            ParameterSpec.Boolean("lora", false, "Train LoRA adapters on a frozen base instead of all weights (merged on export)."),
            ParameterSpec.Integer("lora_r", 8, 1, 1024, "LoRA rank r."),
            ParameterSpec.Number("lora_alpha", 16, 0.001, 10_000, "LoRA alpha; updates are scaled by alpha / r."),
            ParameterSpec.Number("lora_dropout", 0.05, 0, 0.9, "Dropout on the adapter input."),
            ParameterSpec.Text("lora_targets", "", 200, "Comma-separated layer names to adapt; empty: the model's query/value maps (c_attn for GPT-2)."),
            ParameterSpec.Integer("seed", 1234, 0, int.MaxValue, "Seed of initialisation-free randomness: data order, dropout."),
            ParameterSpec.Text("device", "cpu", 20, "cpu, cuda or cuda:N."),
            ParameterSpec.Choice("precision", "fp32", ["fp32", "bf16"], "Weights and compute precision."),
        ]);

    public async Task RunAsync(IRunContext context)
    {
        var p = context.Parameters;
        var device = TorchDevice.Parse(p.GetString("device"));
        var folder = registry.Resolve(p.GetString("model"));
        var tokenizer = TextTokenizer.Load(folder);
        var template = PromptTemplate.Named(p.GetString("template"));
        int seed = p.GetInt32("seed"), batchSize = p.GetInt32("batch_size"), accumulation = p.GetInt32("grad_accum");
        long maxSteps = p.GetInt64("max_steps"), evalEvery = p.GetInt64("eval_every"), checkpointEvery = p.GetInt64("checkpoint_every");
        double maxGradNorm = p.GetDouble("max_grad_norm");

        var (train, eval) = SftData.Load(p.GetString("dataset"), tokenizer, template, p.GetInt32("max_length"), p.GetDouble("eval_fraction"), seed);
        var batches = new SftBatches(train, batchSize, seed, tokenizer.PadTokenId);
        random.manual_seed(seed);
        using var model = ModelFolder.Load(folder);
        model.to(device);
        if (p.GetString("precision") == "bf16") model.to(ScalarType.BFloat16);
        if (p.GetBoolean("lora"))
        {
            var targets = p.GetString("lora_targets").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Lora.Attach(model, targets.Length > 0 ? targets : Lora.DefaultTargets(model.Config),
                p.GetInt32("lora_r"), p.GetDouble("lora_alpha"), p.GetDouble("lora_dropout"));
        }
        model.train();
        using var optimizer = AdamWFactory.Create(model, p.GetDouble("learning_rate"), p.GetDouble("weight_decay"));
        var schedule = new LearningRateSchedule(LearningRateSchedule.Parse(p.GetString("schedule")), p.GetDouble("learning_rate"),
            p.GetInt64("warmup_steps"), maxSteps);

        long step = context.Checkpoints.Latest() is { } latest ? SftCheckpoint.Restore(latest, model, optimizer) : 0;
        context.Metrics.ReportProgress(step, maxSteps);
        if (step == 0 && eval.Count > 0) context.Metrics.Report(0, "eval_loss", EvaluationLoss(model, eval, batchSize, tokenizer.PadTokenId, device));

        while (step < maxSteps)
        {
            if (context.CancellationToken.IsCancellationRequested)
            {
                await SftCheckpoint.SaveAsync(context.Checkpoints, step, model, optimizer);
                context.CancellationToken.ThrowIfCancellationRequested();
            }
            var clock = Stopwatch.StartNew();
            double lossSum = 0;
            long tokens = 0;
            double gradNorm;
            using (var scope = NewDisposeScope())
            {
                var learningRate = schedule.At(step);
                AdamWFactory.SetLearningRate(optimizer, learningRate);
                optimizer.zero_grad();
                for (int micro = 0; micro < accumulation; micro++)
                {
                    var batch = batches.Get(step * accumulation + micro, device);
                    var loss = ResponseLoss(model, batch);
                    (loss / accumulation).backward();
                    lossSum += loss.item<float>();
                    tokens += batch.Tokens;
                }
                var parameters = model.parameters().Where(q => q.requires_grad).ToList();
                // With an infinite bound the call only measures the norm.
                gradNorm = nn.utils.clip_grad_norm_(parameters, maxGradNorm > 0 ? maxGradNorm : double.PositiveInfinity);
                optimizer.step();
                step++;
                context.Metrics.Report(step, "loss", lossSum / accumulation);
                context.Metrics.Report(step, "lr", learningRate);
                context.Metrics.Report(step, "grad_norm", gradNorm);
                context.Metrics.Report(step, "tokens_per_s", tokens / clock.Elapsed.TotalSeconds);
            }
            if (eval.Count > 0 && ((evalEvery > 0 && step % evalEvery == 0) || step == maxSteps))
                context.Metrics.Report(step, "eval_loss", EvaluationLoss(model, eval, batchSize, tokenizer.PadTokenId, device));
            context.Metrics.ReportProgress(step, maxSteps);
            if (checkpointEvery > 0 && step % checkpointEvery == 0 && step < maxSteps)
                await SftCheckpoint.SaveAsync(context.Checkpoints, step, model, optimizer);
        }

        Export(model, folder, Path.Combine(context.ArtifactDirectory, "export"));
    }

    /// <summary>Mean cross-entropy of the response tokens (prompt and padding positions ignored).</summary>
    public static Tensor ResponseLoss(CausalLM model, Batch batch)
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
                var batch = Batch.Pad(chunk, padTokenId, device);
                var tokens = chunk.Sum(e => e.Response.Length);
                total += ResponseLoss(model, batch).item<float>() * tokens;
                count += tokens;
            }
        model.train(wasTraining);
        return total / Math.Max(1, count);
    }

    /// <summary>The fine-tuned model as a Hugging Face folder, with the base model's tokenizer files.</summary>
    public static void Export(CausalLM model, string baseFolder, string exportFolder)
    {
        Lora.Merge(model);
        ModelFolder.Save(model, exportFolder);
        foreach (var file in new[] { "vocab.json", "merges.txt", "tokenizer.model", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json" })
            if (File.Exists(Path.Combine(baseFolder, file)))
                File.Copy(Path.Combine(baseFolder, file), Path.Combine(exportFolder, file), overwrite: true);
    }
}
