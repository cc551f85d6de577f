using AlignLab.Core.Methods;
using AlignLab.Core.Tokenization;
using AlignLab.Core.Training;
using AlignLab.Training.Adapters;
using AlignLab.Training.Models;
using AlignLab.Training.Optimization;
using AlignLab.Training.Registry;
using AlignLab.Training.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AlignLab.Training.Methods.Common;

/// <summary>What every fine-tuning method sets up the same way from the shared parameters: the model (on its device,
/// in its precision, with LoRA adapters if asked), tokenizer, prompt template, AdamW and its schedule, and the step
/// to start from (restored with optimizer and RNG state from the latest checkpoint).</summary>
public class TrainingSession : IDisposable
{
    private TrainingSession(CausalLM model, nn.Module trainable, TextTokenizer tokenizer, PromptTemplate template, AdamW optimizer,
        LearningRateSchedule schedule, Device device, string modelFolder, OptimizationOptions optimization, MasterWeights? masters, bool lora,
        bool fusedAdamW)
    {
        _optimization = optimization;
        _fusedAdamW = fusedAdamW;
        Masters = masters;
        _lora = lora;
        Model = model;
        Trainable = trainable;
        Tokenizer = tokenizer;
        Template = template;
        Optimizer = optimizer;
        Schedule = schedule;
        Device = device;
        ModelFolder = modelFolder;
        MaxSteps = optimization.MaxSteps;
    }

    /// <summary>Takes over an opened session (<see cref="TrainingSession{TModule}"/>).</summary>
    private protected TrainingSession(TrainingSession opened)
        : this(opened.Model, opened.Trainable, opened.Tokenizer, opened.Template, opened.Optimizer, opened.Schedule, opened.Device,
            opened.ModelFolder, opened._optimization, opened.Masters, opened._lora, opened._fusedAdamW)
    {
        Step = opened.Step;
        MaxSteps = opened.MaxSteps;
        foreach (var (key, value) in opened.ExtraState) ExtraState[key] = value;
    }

    private readonly OptimizationOptions _optimization;
    private readonly bool _lora;
    private readonly bool _fusedAdamW;

    /// <summary>With precision bf16-mixed, the fp32 master weights the optimizer updates; null otherwise.</summary>
    public MasterWeights? Masters { get; }

    /// <summary>The language model loaded from the model folder (the backbone, when a head is trained on it).</summary>
    public CausalLM Model { get; }

    /// <summary>What the optimizer trains and checkpoints hold: <see cref="Model"/>, or a module built on it (a reward
    /// model's score head over the backbone).</summary>
    public nn.Module Trainable { get; }

    /// <summary>A method's own numbers that a resumed run needs (PPO's adaptive β); saved with every checkpoint.</summary>
    public Dictionary<string, double> ExtraState { get; } = [];

    /// <summary>Entries added to the exported config.json (how a reward model reads its reward, the PPO variant, …).</summary>
    public System.Text.Json.Nodes.JsonObject ExportConfig { get; } = [];
    public TextTokenizer Tokenizer { get; }
    public PromptTemplate Template { get; }
    public AdamW Optimizer { get; }
    public LearningRateSchedule Schedule { get; private set; }
    public Device Device { get; }
    public string ModelFolder { get; }
    public long Step { get; private set; }

    /// <summary>The steps the run trains: max_steps, or what epochs make of the data once <see cref="PlanEpochs"/> knows it.</summary>
    public long MaxSteps { get; private set; }

    /// <summary>With max_steps 0, the run's length follows from its training examples: epochs × ⌈examples / (batch_size ×
    /// grad_accum)⌉ steps, and the schedule's horizon with it. Otherwise max_steps stands.</summary>
    public void PlanEpochs(int trainExamples)
    {
        if (_optimization.MaxSteps > 0) return;
        var perStep = (long)_optimization.BatchSize * _optimization.GradAccum;
        MaxSteps = Math.Max(1, (trainExamples + perStep - 1) / perStep * _optimization.Epochs);
        Schedule = ScheduleOf(_optimization, MaxSteps);
    }

    private static LearningRateSchedule ScheduleOf(OptimizationOptions optimization, long steps) =>
        new(LearningRateSchedule.Parse(optimization.Schedule), optimization.LearningRate, optimization.WarmupSteps, steps);

    /// <summary>Opens a session that trains the model itself.</summary>
    public static TrainingSession Open(IRunContext context, ModelRegistry registry, ITrainingOptions options) =>
        Open(context, registry, options, wrap: null);

    /// <summary>Opens a session that trains a module built on the model (a reward model's score head, PPO's
    /// actor-critic): <see cref="TrainingSession{TModule}.Module"/>.</summary>
    /// <param name="wrap">Builds the trained module on the loaded model, after LoRA adapters are attached.</param>
    public static TrainingSession<TModule> Open<TModule>(IRunContext context, ModelRegistry registry, ITrainingOptions options,
        Func<CausalLM, TModule> wrap) where TModule : nn.Module =>
        new(Open(context, registry, options, (Func<CausalLM, nn.Module>)wrap));

    private static TrainingSession Open(IRunContext context, ModelRegistry registry, ITrainingOptions options, Func<CausalLM, nn.Module>? wrap)
    {
        var (optimization, lora, runtime) = (options.Optimization, options.Lora, options.Runtime);
        var device = TorchDevice.Parse(runtime.Device);
        var folder = registry.Resolve(options.Model.Model);
        var tokenizer = TextTokenizer.Load(folder);
        random.manual_seed(runtime.Seed);
        var model = Models.ModelFolder.Load(folder);
        try
        {
            model.to(device);
            var precision = Core.Training.Precision.Resolve(runtime.Precision, runtime.Device);
            var bf16 = Core.Training.Precision.ComputesInBf16(precision);
            if (bf16) model.to(ScalarType.BFloat16);
            model.ActivationCheckpointing = runtime.ActivationCheckpointing;
            if (runtime.DisableDropout) model.DisableDropout();
            model.SharePrefixes = runtime.SharePrefixes;
            if (lora.Enabled)
            {
                var targets = lora.Targets.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                Lora.Attach(model, targets.Length > 0 ? targets : Lora.DefaultTargets(model.Config.ModelType), lora.Rank, lora.Alpha, lora.Dropout);
            }
            var trainable = wrap?.Invoke(model) ?? model;
            trainable.to(device);
            if (bf16) trainable.to(ScalarType.BFloat16);
            trainable.train();
            var masters = precision == Core.Training.Precision.Bf16Mixed ? new MasterWeights(trainable) : null;
            var optimizer = masters is null
                ? AdamWFactory.Create(trainable, optimization.LearningRate, optimization.WeightDecay)
                : AdamWFactory.Create(masters.Parameters, optimization.LearningRate, optimization.WeightDecay);
            var schedule = ScheduleOf(optimization, optimization.MaxSteps);
            var session = new TrainingSession(model, trainable, tokenizer, PromptTemplate.Resolve(options.Model.Template, tokenizer), optimizer,
                schedule, device, folder, optimization, masters, lora.Enabled, runtime.FusedAdamW);
            if (context.Checkpoints.Latest() is { } latest)
                session.Step = TrainingCheckpoint.Restore(latest, trainable, optimizer, session.ExtraState, masters);
            return session;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Zeroes gradients and sets the learning rate of the coming step; returns it.</summary>
    public double BeginStep()
    {
        var learningRate = Schedule.At(Step);
        AdamWFactory.SetLearningRate(Optimizer, learningRate);
        Optimizer.zero_grad();
        if (Masters is not null) Trainable.zero_grad();
        return learningRate;
    }

    /// <summary>Back-propagates <paramref name="loss"/>; rethrows an error of a checkpointed layer's second run; with master
    /// weights, adds the gradients to theirs in fp32.</summary>
    public void Backward(Tensor loss)
    {
        loss.backward();
        if (Model.TakeCheckpointError() is { } error) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
        Masters?.Accumulate();
    }

    /// <summary>Clips (when <paramref name="maxGradNorm"/> &gt; 0), steps the optimizer and counts the step; returns the
    /// gradient norm before clipping.</summary>
    public double EndStep(double maxGradNorm)
    {
        using var norm = OptimizerStep(maxGradNorm);
        Step++;
        return norm.item<float>();
    }

    /// <summary>One optimizer update inside a step (PPO makes several per rollout batch): clip, step (libtorch's fused AdamW
    /// kernel with fused_adamw, TorchSharp's AdamW otherwise or where the kernel cannot run), zero the gradients.
    /// Returns the gradient norm before clipping on the device, so that nothing waits for it here.</summary>
    public Tensor OptimizerStep(double maxGradNorm)
    {
        Masters?.Accumulate();
        var parameters = Masters?.Parameters ?? [.. Trainable.parameters().Where(q => q.requires_grad)];
        // At 0 the norm is only measured.
        var norm = GradientClipping.ClipByTotalNorm(parameters, maxGradNorm);
        if (!(_fusedAdamW && FusedAdamW.TryStep(Optimizer))) Optimizer.step();
        Masters?.CopyToModel();
        Optimizer.zero_grad();
        return norm;
    }

    /// <summary>Counts a step whose updates were made with <see cref="OptimizerStep"/>.</summary>
    public void CompleteStep() => Step++;

    /// <summary>Whether the step just taken is an evaluation step: every eval_every steps, and the last.</summary>
    public bool ShouldEvaluate() =>
        (_optimization.EvalEvery > 0 && Step % _optimization.EvalEvery == 0) || Step == MaxSteps;

    /// <summary>Before a step: when the run is being cancelled, checkpoints and throws, so a retry resumes here.</summary>
    public async Task StopIfCancelledAsync(IRunContext context)
    {
        if (!context.CancellationToken.IsCancellationRequested) return;
        await CheckpointAsync(context);
        context.CancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>After a step: reports progress, and checkpoints every checkpoint_every steps (not after the last: the
    /// export follows).</summary>
    public async Task EndOfStepAsync(IRunContext context)
    {
        context.Metrics.ReportProgress(Step, MaxSteps);
        if (_optimization.CheckpointEvery > 0 && Step % _optimization.CheckpointEvery == 0 && Step < MaxSteps)
            await CheckpointAsync(context);
    }

    public async Task CheckpointAsync(IRunContext context)
    {
        await TrainingCheckpoint.SaveAsync(context.Checkpoints, Step, Trainable, Optimizer, ExtraState, Masters);
        Runtime.NativeHeap.Trim();
    }

    /// <summary>Merges adapters and writes the model to the run's export folder (runs/{id}/export).</summary>
    public void Export(IRunContext context) => Export(Path.Combine(context.ArtifactDirectory, "export"));

    /// <summary>Merges adapters and writes the model as a Hugging Face folder with the base model's tokenizer files.</summary>
    public void Export(string folder)
    {
        // Full fine-tuning with master weights exports them, in fp32; adapters merge into the bf16 base.
        if (Masters is not null && !_lora)
        {
            Trainable.to(ScalarType.Float32);
            Masters.CopyTo(Trainable);
        }
        Lora.Merge(Model);
        if (Trainable is SequenceClassifier classifier) classifier.Save(folder, ExportConfig);
        else Models.ModelFolder.Save(Model, folder, extraConfig: ExportConfig);
        foreach (var file in new[] { "vocab.json", "merges.txt", "tokenizer.model", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
                     "chat_template.jinja", TextTokenizer.GenerationConfigFile })
            if (File.Exists(Path.Combine(ModelFolder, file)))
                File.Copy(Path.Combine(ModelFolder, file), Path.Combine(folder, file), overwrite: true);
    }

    public void Dispose()
    {
        Optimizer.Dispose();
        Masters?.Dispose();
        if (!ReferenceEquals(Trainable, Model)) Trainable.Dispose();
        Model.Dispose();
    }
}

/// <summary>A session whose optimizer trains a module built on the model, typed.</summary>
public sealed class TrainingSession<TModule> : TrainingSession where TModule : nn.Module
{
    internal TrainingSession(TrainingSession opened) : base(opened) { }

    /// <summary>The trained module (what <see cref="TrainingSession.Trainable"/> holds).</summary>
    public TModule Module => (TModule)Trainable;
}
