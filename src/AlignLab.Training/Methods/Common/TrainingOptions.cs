using AlignLab.Core.Methods;
using AlignLab.Core.Tokenization;
using AlignLab.Training.Demo;

namespace AlignLab.Training.Methods.Common;

/// <summary>The model a method trains and the prompt template around its examples.</summary>
public sealed record ModelOptions
{
    public string Model { get; init; } = DemoModel.Name;
    public string Template { get; init; } = "alpaca";

    public static ParameterSchema<ModelOptions> Schema { get; } = new ParameterSchema<ModelOptions>()
        .Model(o => o.Model, "model", ModelRole.Policy, "Model folder (config.json, safetensors, tokenizer) under a model root, or a run's export (runs/{id}/export).")
        .Choice(o => o.Template, "template", [.. PromptTemplate.Names], "Prompt template around instruction and input; model: the model's own chat template (tokenizer_config.json).");
}

/// <summary>AdamW, its schedule, batching, evaluation and checkpoint cadence. Each method's options record sets the
/// defaults to its paper's figures.</summary>
public sealed record OptimizationOptions
{
    public double LearningRate { get; init; } = 1e-5;
    public double WeightDecay { get; init; }
    public string Schedule { get; init; } = "constant";
    public long WarmupSteps { get; init; }
    public long MaxSteps { get; init; } = 100;
    public int Epochs { get; init; } = 1;
    public int BatchSize { get; init; } = 8;
    public int GradAccum { get; init; } = 1;
    public double MaxGradNorm { get; init; } = 1.0;
    public int MaxLength { get; init; } = 128;
    public double EvalFraction { get; init; } = 0.05;
    public long EvalEvery { get; init; } = 50;
    public long CheckpointEvery { get; init; } = 100;

    /// <summary>The fine-tuning methods' parameters: all of them.</summary>
    public static ParameterSchema<OptimizationOptions> Schema { get; } = Declare(rollouts: false);

    /// <summary>PPO's: a step is one batch of rollouts, so there is no gradient accumulation, length cut or held-out
    /// evaluation to set (their properties keep their defaults, unread).</summary>
    public static ParameterSchema<OptimizationOptions> RolloutSchema { get; } = Declare(rollouts: true);

    private static ParameterSchema<OptimizationOptions> Declare(bool rollouts)
    {
        var schema = new ParameterSchema<OptimizationOptions>()
            .Number(o => o.LearningRate, "learning_rate", 1e-8, 1, "Peak AdamW learning rate.")
            .Number(o => o.WeightDecay, "weight_decay", 0, 1, "AdamW weight decay on weight matrices.")
            .Choice(o => o.Schedule, "schedule", ["constant", "cosine", "linear"], "Learning-rate decay after warmup.")
            .Integer(o => o.WarmupSteps, "warmup_steps", 0, 100_000, "Optimizer steps of linear warmup.");
        if (rollouts) schema.Integer(o => o.MaxSteps, "max_steps", 1, 10_000_000, "Optimizer steps to train.");
        else schema
            .Integer(o => o.Epochs, "epochs", 1, 1000, "Passes over the training examples, when max_steps is 0.")
            .Integer(o => o.MaxSteps, "max_steps", 0, 10_000_000, "Optimizer steps to train; 0: as many as epochs make.");
        if (rollouts) schema.Integer(o => o.BatchSize, "batch_size", 1, 4096, "Prompts per rollout batch.");
        else schema
            .Integer(o => o.BatchSize, "batch_size", 1, 4096, "Examples per micro-batch.")
            .Integer(o => o.GradAccum, "grad_accum", 1, 1024, "Micro-batches per optimizer step (effective batch = batch_size × grad_accum).");
        schema.Number(o => o.MaxGradNorm, "max_grad_norm", 0, 1000, "Clip the global gradient norm (0: no clipping).");
        if (!rollouts) schema
            .Integer(o => o.MaxLength, "max_length", 8, 32_768, "Longest prompt + response in tokens: SFT and reward models leave longer examples out, FIGA cuts them (overlong_pairs).")
            .Number(o => o.EvalFraction, "eval_fraction", 0, 0.5, "Share of examples held out for evaluation.")
            .Integer(o => o.EvalEvery, "eval_every", 0, 1_000_000, "Evaluate every N steps (0: only at the start and the end).");
        return schema.Integer(o => o.CheckpointEvery, "checkpoint_every", 0, 1_000_000, "Checkpoint every N steps (0: only on cancel).");
    }
}

/// <summary>LoRA adapters on a frozen base (off by default).</summary>
public sealed record LoraOptions
{
    public bool Enabled { get; init; }
    public int Rank { get; init; } = 8;
    public double Alpha { get; init; } = 16;
    public double Dropout { get; init; } = 0.05;
    public string Targets { get; init; } = "";

    public static ParameterSchema<LoraOptions> Schema { get; } = new ParameterSchema<LoraOptions>()
        .Boolean(o => o.Enabled, "lora", "Train LoRA adapters on a frozen base instead of all weights (merged on export).")
        .Integer(o => o.Rank, "lora_r", 1, 1024, "LoRA rank r.")
        .Number(o => o.Alpha, "lora_alpha", 0.001, 10_000, "LoRA alpha; updates are scaled by alpha / r.")
        .Number(o => o.Dropout, "lora_dropout", 0, 0.9, "Dropout on the adapter input.")
        .Text(o => o.Targets, "lora_targets", 200, "Comma-separated layer names to adapt; empty: the model's query/value maps (c_attn for GPT-2).");
}

/// <summary>Seed, device, precision, activation checkpointing, the model's dropout, shared prefixes and the AdamW kernel.</summary>
public sealed record RuntimeOptions
{
    public int Seed { get; init; } = 1234;
    public string Device { get; init; } = "cpu";
    public string Precision { get; init; } = "fp32";
    public bool ActivationCheckpointing { get; init; }
    public bool DisableDropout { get; init; }
    public bool SharePrefixes { get; init; } = true;
    public bool FusedAdamW { get; init; } = true;

    public static ParameterSchema<RuntimeOptions> Schema { get; } = new ParameterSchema<RuntimeOptions>()
        .Integer(o => o.Seed, "seed", 0, int.MaxValue, "Seed of data order and dropout.")
        .Text(o => o.Device, "device", 20, "cpu, cuda or cuda:N.")
        .Choice(o => o.Precision, "precision", Core.Training.Precision.Choices,
            "bf16-mixed: bf16 compute with fp32 master weights and optimizer (the papers' --bf16 True); bf16: pure bf16, half the memory, " +
            "but updates below bf16's resolution are lost; fp32; auto: bf16-mixed on CUDA, fp32 on the CPU.")
        .Boolean(o => o.ActivationCheckpointing, "activation_checkpointing",
            "Keep only each layer's input in training passes and run the layer again in the backward pass: activation memory of about one " +
            "layer instead of all, for a third more compute. Same loss and gradients.")
        .Boolean(o => o.DisableDropout, "disable_dropout",
            "Train with the model's own dropout (config.json's attention, residual and embedding dropout) at 0, as TRL's PPO and DPO " +
            "trainers do and as AlpacaFarm's PPO keeps its policy in eval mode; lora_dropout still applies. Off: the config's dropout.")
        .Boolean(o => o.SharePrefixes, "share_prefixes",
            "Run the positions that rows of a batch begin alike with (a pair's prompt, the template's opening) through the model once for " +
            "all of them: the same losses and gradients up to float rounding, in less time and activation memory; never in a pass that " +
            "draws dropout. Off: every row computes its own (for comparison, or to measure memory against the estimate, which assumes so).")
        .Boolean(o => o.FusedAdamW, "fused_adamw",
            "Make each AdamW update with libtorch's fused kernel (torch.optim.AdamW(fused=True), transformers' adamw_torch_fused): one pass " +
            "over each parameter's values instead of about eight, the same update up to float rounding. Off: TorchSharp's AdamW, one " +
            "operation at a time. Where the kernel cannot run (amsgrad, a libtorch without it) the run takes TorchSharp's.");
}

/// <summary>What <see cref="TrainingSession"/> needs of a method's options: every fine-tuning method's record has these
/// four groups.</summary>
public interface ITrainingOptions
{
    ModelOptions Model { get; }
    OptimizationOptions Optimization { get; }
    LoraOptions Lora { get; }
    RuntimeOptions Runtime { get; }
}

