using AlignLab.Core.Construction;
using AlignLab.Core.Datasets;
using AlignLab.Core.Methods;
using AlignLab.Training.Methods.Common;

namespace AlignLab.Training.Methods.Construction;

/// <summary>Everything an SPA construction run is told, typed: “Beyond Imitation”'s Algorithm 1 with its thresholds.</summary>
public sealed record SpaConstructionRunOptions
{
    public ModelOptions Model { get; init; } = new();
    public string Pool { get; init; } = SpaConstructionMethod.DemoPool;
    public string RewardModel { get; init; } = "";
    public RewardThresholds Thresholds { get; init; } = new();
    public string Revision { get; init; } = RevisionModes.Endpoint;
    public int MaxInstances { get; init; }
    public int MaxNewTokens { get; init; } = 128;
    public double Temperature { get; init; }
    public double TopP { get; init; } = 1;
    public int BatchSize { get; init; } = 8;
    public int Seed { get; init; } = 1234;
    public string Device { get; init; } = "cpu";

    public static SpaConstructionRunOptions Defaults { get; } = new();

    /// <summary>η1–η3 of Algorithm 1; their defaults are <see cref="RewardThresholds"/>'.</summary>
    public static ParameterSchema<RewardThresholds> ThresholdsSchema { get; } = new ParameterSchema<RewardThresholds>()
        .Number(t => t.Eta1, "eta1", -1e6, 1e6, "η1: keep only if R(X,Ŷ) < η1 (the initial response is poor).")
        .Number(t => t.Eta2, "eta2", -1e6, 1e6, "η2: keep only if R(X,Y) > η2 (the reference is good).")
        .Number(t => t.Eta3, "eta3", -1e6, 1e6, "η3: keep only if R(X,Y) − R(X,Ŷ) > η3 (the gap is wide).");

    public static ParameterSchema<SpaConstructionRunOptions> Schema { get; } = new ParameterSchema<SpaConstructionRunOptions>()
        .Group(o => o.Model, ModelOptions.Schema)
        .Dataset(o => o.Pool, "pool", [SpaConstructionMethod.DemoPool],
            "Instance pool (X, Y): an imported pool, SPA or preference dataset (Y = chosen), or demo-pool (200 built-in questions).",
            DatasetLayout.KindsWith(RecordPart.Output))
        .Model(o => o.RewardModel, "reward_model", ModelRole.Reward,
            "Reward model: an HF *ForSequenceClassification folder with tokenizer under a models root, or a reward-model run's export.")
        .Group(o => o.Thresholds, ThresholdsSchema)
        .Choice(o => o.Revision, "revision", [RevisionModes.Endpoint, RevisionModes.Annotators],
            "Who revises kept rollouts: the configured chat-completions endpoint, or annotators in the UI.")
        .Integer(o => o.MaxInstances, "max_instances", 0, 10_000_000, "Use only the first N instances of the pool (0: all).")
        .Integer(o => o.MaxNewTokens, "max_new_tokens", 1, 8192, "Longest rollout in tokens.")
        .Number(o => o.Temperature, "temperature", 0, 10, "Rollout sampling temperature (0: greedy).")
        .Number(o => o.TopP, "top_p", 0.01, 1, "Rollout nucleus sampling mass.")
        .Integer(o => o.BatchSize, "batch_size", 1, 1024, "Instances per rollout and scoring batch.")
        .Integer(o => o.Seed, "seed", 0, int.MaxValue, "Seed of rollout sampling.")
        .Text(o => o.Device, "device", 20, "cpu, cuda or cuda:N.");
}
