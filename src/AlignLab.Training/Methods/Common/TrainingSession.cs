using AlignLab.Core.Methods;
using AlignLab.Core.Training;
using AlignLab.Training.Adapters;
using AlignLab.Training.Models;
using AlignLab.Training.Optimization;
using AlignLab.Training.Registry;
using AlignLab.Training.Runtime;
using AlignLab.Training.Tokenization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AlignLab.Training.Methods.Common;

/// <summary>What every fine-tuning method sets up the same way from the shared parameters: the model (on its device,
/// in its precision, with LoRA adapters if asked), tokenizer, prompt template, AdamW and its schedule, and the step
/// to start from (restored with optimizer and RNG state from the latest checkpoint).</summary>
public sealed class TrainingSession : IDisposable
{
    private TrainingSession(CausalLM model, nn.Module trainable, TextTokenizer tokenizer, PromptTemplate template, AdamW optimizer,
        LearningRateSchedule schedule, Device device, string modelFolder)
    {
        Model = model;
        Trainable = trainable;
        Tokenizer = tokenizer;
        Template = template;
        Optimizer = optimizer;
        Schedule = schedule;
        Device = device;
        ModelFolder = modelFolder;
    }

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
    public LearningRateSchedule Schedule { get; }
    public Device Device { get; }
    public string ModelFolder { get; }
    public long Step { get; private set; }

    /// <param name="wrap">Builds the trained module on the loaded model (after LoRA adapters are attached); null: the model itself.</param>
    public static TrainingSession Open(IRunContext context, ModelRegistry registry, Func<CausalLM, nn.Module>? wrap = null)
    {
        var p = context.Parameters;
        var device = TorchDevice.Parse(p.GetString("device"));
        var folder = registry.Resolve(p.GetString("model"));
        var tokenizer = TextTokenizer.Load(folder);
        random.manual_seed(p.GetInt32("seed"));
        var model = Models.ModelFolder.Load(folder);
        try
        {
            model.to(device);
            if (p.GetString("precision") == "bf16") model.to(ScalarType.BFloat16);
            if (p.GetBoolean("lora"))
            {
                var targets = p.GetString("lora_targets").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                Lora.Attach(model, targets.Length > 0 ? targets : Lora.DefaultTargets(model.Config.ModelType),
                    p.GetInt32("lora_r"), p.GetDouble("lora_alpha"), p.GetDouble("lora_dropout"));
            }
            var trainable = wrap?.Invoke(model) ?? model;
            trainable.to(device);
            if (p.GetString("precision") == "bf16") trainable.to(ScalarType.BFloat16);
            trainable.train();
            var optimizer = AdamWFactory.Create(trainable, p.GetDouble("learning_rate"), p.GetDouble("weight_decay"));
            var schedule = new LearningRateSchedule(LearningRateSchedule.Parse(p.GetString("schedule")), p.GetDouble("learning_rate"),
                p.GetInt64("warmup_steps"), p.GetInt64("max_steps"));
            var session = new TrainingSession(model, trainable, tokenizer, PromptTemplate.Resolve(p.GetString("template"), tokenizer), optimizer, schedule, device, folder);
            if (context.Checkpoints.Latest() is { } latest) session.Step = TrainingCheckpoint.Restore(latest, trainable, optimizer, session.ExtraState);
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
        return learningRate;
    }

    /// <summary>Clips (when <paramref name="maxGradNorm"/> &gt; 0), steps the optimizer and counts the step; returns the
    /// gradient norm before clipping.</summary>
    public double EndStep(double maxGradNorm)
    {
        var norm = OptimizerStep(maxGradNorm);
        Step++;
        return norm;
    }

    /// <summary>One optimizer update inside a step (PPO makes several per rollout batch): clip, step, zero the gradients.</summary>
    public double OptimizerStep(double maxGradNorm)
    {
        var parameters = Trainable.parameters().Where(q => q.requires_grad).ToList();
        // With an infinite bound the call only measures the norm.
        var norm = nn.utils.clip_grad_norm_(parameters, maxGradNorm > 0 ? maxGradNorm : double.PositiveInfinity);
        Optimizer.step();
        Optimizer.zero_grad();
        return norm;
    }

    /// <summary>Counts a step whose updates were made with <see cref="OptimizerStep"/>.</summary>
    public void CompleteStep() => Step++;

    /// <summary>The step loop every fine-tuning method shares: <paramref name="trainStep"/> (one optimizer step, inside a
    /// dispose scope) until max_steps; <paramref name="evaluate"/> at step 0, every eval_every steps and at the end;
    /// progress; checkpoints every checkpoint_every steps and on cancellation; the export at the end.</summary>
    public async Task TrainAsync(IRunContext context, Action trainStep, Action<long> evaluate)
    {
        var p = context.Parameters;
        long maxSteps = p.GetInt64("max_steps"), evalEvery = p.GetInt64("eval_every"), checkpointEvery = p.GetInt64("checkpoint_every");
        context.Metrics.ReportProgress(Step, maxSteps);
        if (Step == 0) evaluate(0);
        while (Step < maxSteps)
        {
            if (context.CancellationToken.IsCancellationRequested)
            {
                await CheckpointAsync(context);
                context.CancellationToken.ThrowIfCancellationRequested();
            }
            using (var scope = NewDisposeScope()) trainStep();
            if ((evalEvery > 0 && Step % evalEvery == 0) || Step == maxSteps) evaluate(Step);
            context.Metrics.ReportProgress(Step, maxSteps);
            if (checkpointEvery > 0 && Step % checkpointEvery == 0 && Step < maxSteps) await CheckpointAsync(context);
        }
        Export(Path.Combine(context.ArtifactDirectory, "export"));
    }

    public async Task CheckpointAsync(IRunContext context)
    {
        await TrainingCheckpoint.SaveAsync(context.Checkpoints, Step, Trainable, Optimizer, ExtraState);
        Runtime.NativeHeap.Trim();
    }

    /// <summary>Merges adapters and writes the model as a Hugging Face folder with the base model's tokenizer files.</summary>
    public void Export(string folder)
    {
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
        if (!ReferenceEquals(Trainable, Model)) Trainable.Dispose();
        Model.Dispose();
    }
}
