using AlignLab.Core.Methods;
using AlignLab.Training.Demo;
using AlignLab.Training.Tokenization;

namespace AlignLab.Training.Methods.Common;

/// <summary>Parameter groups every fine-tuning method shares; each method passes its own defaults (its paper's figures).</summary>
public static class TrainingParameters
{
    public static IEnumerable<ParameterSpec> Model() =>
    [
        ParameterSpec.Model("model", DemoModel.Name, ModelRole.Policy, "Model folder (config.json, safetensors, tokenizer) under a model root, or a run's export (runs/{id}/export)."),
        ParameterSpec.Choice("template", "alpaca", [.. PromptTemplate.Names], "Prompt template around instruction and input; model: the model's own chat template (tokenizer_config.json)."),
    ];

    public static IEnumerable<ParameterSpec> Optimization(double learningRate, string schedule, long warmupSteps, long maxSteps,
        long batchSize, long gradAccum, double weightDecay = 0.0) =>
    [
        ParameterSpec.Number("learning_rate", learningRate, 1e-8, 1, "Peak AdamW learning rate."),
        ParameterSpec.Number("weight_decay", weightDecay, 0, 1, "AdamW weight decay on weight matrices."),
        ParameterSpec.Choice("schedule", schedule, ["constant", "cosine", "linear"], "Learning-rate decay after warmup."),
        ParameterSpec.Integer("warmup_steps", warmupSteps, 0, 100_000, "Optimizer steps of linear warmup."),
        ParameterSpec.Integer("max_steps", maxSteps, 1, 10_000_000, "Optimizer steps to train."),
        ParameterSpec.Integer("batch_size", batchSize, 1, 4096, "Examples per micro-batch."),
        ParameterSpec.Integer("grad_accum", gradAccum, 1, 1024, "Micro-batches per optimizer step (effective batch = batch_size × grad_accum)."),
        ParameterSpec.Number("max_grad_norm", 1.0, 0, 1000, "Clip the global gradient norm (0: no clipping)."),
        ParameterSpec.Integer("max_length", 128, 8, 32_768, "Longest prompt + response in tokens; longer examples are dropped."),
        ParameterSpec.Number("eval_fraction", 0.05, 0, 0.5, "Share of examples held out for evaluation."),
        ParameterSpec.Integer("eval_every", 50, 0, 1_000_000, "Evaluate every N steps (0: only at the start and the end)."),
        ParameterSpec.Integer("checkpoint_every", 100, 0, 1_000_000, "Checkpoint every N steps (0: only on cancel)."),
    ];

    public static IEnumerable<ParameterSpec> Lora(bool enabled = false, long rank = 8) =>
    [
        ParameterSpec.Boolean("lora", enabled, "Train LoRA adapters on a frozen base instead of all weights (merged on export)."),
        ParameterSpec.Integer("lora_r", rank, 1, 1024, "LoRA rank r."),
        ParameterSpec.Number("lora_alpha", 16, 0.001, 10_000, "LoRA alpha; updates are scaled by alpha / r."),
        ParameterSpec.Number("lora_dropout", 0.05, 0, 0.9, "Dropout on the adapter input."),
        ParameterSpec.Text("lora_targets", "", 200, "Comma-separated layer names to adapt; empty: the model's query/value maps (c_attn for GPT-2)."),
    ];

    public static IEnumerable<ParameterSpec> Runtime() =>
    [
        ParameterSpec.Integer("seed", 1234, 0, int.MaxValue, "Seed of data order and dropout."),
        ParameterSpec.Text("device", "cpu", 20, "cpu, cuda or cuda:N."),
        ParameterSpec.Choice("precision", "fp32", ["fp32", "bf16"], "Weights and compute precision."),
    ];
}
