using AlignLab.Core.Datasets;
using AlignLab.Core.Methods;
using AlignLab.Training.Demo;
using AlignLab.Training.Methods.Common;
using AlignLab.Training.Methods.Ppo;
using AlignLab.Training.Registry;
using AlignLab.Training.Rewards;

namespace AlignLab.Training.Methods.Ppo;

/// <summary>PPO with a reward model (“Aligning Large Language Models via Fine-grained Supervision”) on the shared engine (<see cref="PpoTrainer"/>): a token-level reward
/// model gives fine-grained token-level PPO, a sequence-level one fine-grained PPO or PPO-RLHF, as <c>variant</c> names
/// and checks; the keyword reward serves smoke runs.</summary>
public sealed class PpoMethod(ModelRegistry registry, IDatasetStore? datasets = null) : ITrainingMethod
{
    public const string Name = "ppo";
    public const string SamplesFile = PpoTrainer.SamplesFile;
    public const string DemoPrompts = "demo-prompts";

    /// <summary>The exported policy's config.json key naming the PPO variant that trained it.</summary>
    public const string VariantKey = "alignlab_ppo_variant";

    public MethodDescriptor Descriptor { get; } = new(
        Name,
        "PPO with a reward model (token- or sequence-level)",
        "Proximal policy optimisation against a reward model: per-token rewards from a token-level model (fine-grained token-level PPO), or a sequence reward at the last token (PPO-RLHF).",
        "gpu",
        [
            .. TrainingParameters.Model(),
            ParameterSpec.Dataset("prompts", DemoPrompts, [DemoPrompts], "Prompts: the instructions of any stored dataset, or demo-prompts (the demo questions)."),
            ParameterSpec.Choice("variant", PpoVariant.Auto, PpoVariant.All,
                "“Aligning Large Language Models via Fine-grained Supervision”'s variants: fine-grained-token (token-level reward model), fine-grained (sequence-level, trained on edited pairs), ppo-rlhf (sequence-level, original pairs); the reward model must match. auto: whatever it is."),
            ParameterSpec.Choice("reward", "reward_model", ["reward_model", "keyword"], "Reward source: a reward model folder, or +1 per token of a keyword (smoke runs)."),
            ParameterSpec.Model("reward_model", "", ModelRole.Reward, "Reward model: a reward-model run's export (runs/{id}/export), or any HF *ForSequenceClassification folder."),
            ParameterSpec.Text("keyword", "", 100, "The keyword of the keyword reward."),
            .. PpoParameters.Engine(maxNewTokens: 32),
            .. TrainingParameters.Optimization(learningRate: 1e-5, schedule: "constant", warmupSteps: 0, maxSteps: 100, batchSize: 16, gradAccum: 1),
            .. TrainingParameters.Lora(),
            .. TrainingParameters.Runtime(),
        ]);

    public async Task RunAsync(IRunContext context)
    {
        var p = context.Parameters;
        var prompts = await PromptsAsync(p.GetString("prompts"), context.CancellationToken);
        await PpoTrainer.RunAsync(context, registry, prompts, session => RewardSource(p, session));
    }

    private IRewardSource RewardSource(MethodParameters p, TrainingSession session)
    {
        if (p.GetString("reward") == "keyword")
        {
            if (p.GetString("variant") != PpoVariant.Auto) throw new ArgumentException("variant: the keyword reward is no reward model; use variant auto");
            var keyword = p.GetString("keyword");
            var tokens = session.Tokenizer.Encode(keyword.StartsWith(' ') ? keyword : " " + keyword);
            if (string.IsNullOrWhiteSpace(keyword) || tokens.Length == 0) throw new ArgumentException("keyword: required for the keyword reward");
            return new KeywordRewardSource(tokens.ToHashSet(), keyword);
        }
        if (string.IsNullOrWhiteSpace(p.GetString("reward_model"))) throw new ArgumentException("reward_model: a reward model folder is required");
        var model = RewardModel.Load(registry.Resolve(p.GetString("reward_model")), session.Device);
        try
        {
            session.ExportConfig[VariantKey] = PpoVariant.Resolve(p.GetString("variant"), model.TokenLevel, model.TrainedOn);
            return new RewardModelSource(model, session.Template, session.Tokenizer);
        }
        catch { model.Dispose(); throw; }
    }

    private async Task<IReadOnlyList<SpaRecord>> PromptsAsync(string source, CancellationToken cancellationToken) =>
        (await DatasetParameter.LoadAsync(datasets, "prompts", source, DemoPrompts, BuiltInDatasets.DemoPrompts.Load, cancellationToken)).Records;
}
