using AlignLab.Core.Construction;
using AlignLab.Core.Datasets;
using AlignLab.Core.Methods;
using AlignLab.Core.Runs;
using AlignLab.Core.Tokenization;
using AlignLab.Training.Inference;
using AlignLab.Training.Methods.Common;
using AlignLab.Training.Registry;
using AlignLab.Training.Rewards;
using AlignLab.Training.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Training.Methods.Construction;

/// <summary>SPA construction (“Beyond Imitation”, Algorithm 1) as a job: roll out Ŷ with the policy for every (X, Y) of an
/// instance pool, score R(X,Ŷ) and R(X,Y) with a reward model, keep the instances the η thresholds select, and
/// revise each kept Ŷ through an OpenAI-compatible endpoint (two-step prompting) or annotators. Every stage is
/// stored per instance as it finishes, so a restarted job continues where it stopped. Ends with a new SPA
/// dataset (endpoint revision) or with the instances queued for annotators.</summary>
public sealed class SpaConstructionMethod(ModelRegistry registry, IDatasetStore datasets, IConstructionStore store, IResponseReviser reviser)
    : ITrainingMethod
{
    public const string Name = MethodNames.SpaConstruction;
    public const string DemoPool = "demo-pool";

    public MethodDescriptor Descriptor { get; } = new(
        Name,
        "SPA construction (FIGA data)",
        "Roll out the policy on an instance pool, score initial and reference responses with a reward model, keep the poor-but-fixable ones and revise them minimally: a new SPA dataset.",
        "gpu",
        SpaConstructionRunOptions.Schema.Specs(SpaConstructionRunOptions.Defaults));

    public async Task RunAsync(IRunContext context)
    {
        var o = SpaConstructionRunOptions.Schema.Bind(context.Parameters, SpaConstructionRunOptions.Defaults);
        var token = context.CancellationToken;
        var (revision, thresholds) = (o.Revision, o.Thresholds);
        var device = TorchDevice.Parse(o.Device);
        // Everything that can be wrong with the request fails here, before any instance is written.
        if (revision == RevisionModes.Endpoint && reviser.NotConfiguredReason is { } notConfigured)
            throw new InvalidOperationException($"revision: {notConfigured}");
        if (string.IsNullOrWhiteSpace(o.RewardModel))
            throw new ArgumentException("reward_model: a reward model folder is required");
        var rewardFolder = registry.Resolve(o.RewardModel);
        var policyFolder = registry.Resolve(o.Model.Model);
        var template = PromptTemplate.Resolve(o.Model.Template, TextTokenizer.Load(policyFolder));
        var pool = await PoolAsync(o.Pool, o.MaxInstances, token);

        var items = await store.InitializeAsync(context.RunId, revision, thresholds, pool, token);
        var progress = new Progress(context, items.Count);
        progress.Report(items.Count(i => i.Status != ConstructionStatus.Pending), items.Count(i => i.Status is not (ConstructionStatus.Pending or ConstructionStatus.RolledOut)), 0);

        var rollouts = items.Where(i => i.Status == ConstructionStatus.Pending).ToList();
        if (rollouts.Count > 0) await RolloutAsync(context, o, policyFolder, template, device, rollouts, progress);

        items = await store.ItemsAsync(context.RunId, token);
        var toScore = items.Where(i => i.Status == ConstructionStatus.RolledOut).ToList();
        using var rewardModel = RewardModel.Load(rewardFolder, device);
        if (toScore.Count > 0)
        {
            var keptStatus = revision == RevisionModes.Endpoint ? ConstructionStatus.Kept : ConstructionStatus.AwaitingAnnotation;
            foreach (var chunk in toScore.Chunk(o.BatchSize * 8))
            {
                token.ThrowIfCancellationRequested();
                var rolloutRewards = rewardModel.Score([.. chunk.Select(i => (i.Instruction, i.Input, i.Rollout!))], template, o.BatchSize);
                var outputRewards = rewardModel.Score([.. chunk.Select(i => (i.Instruction, i.Input, i.Output))], template, o.BatchSize);
                await store.SaveScoresAsync(context.RunId,
                    [.. chunk.Select((item, k) => (item.Index, rolloutRewards[k], outputRewards[k], thresholds.Keeps(rolloutRewards[k], outputRewards[k])))],
                    keptStatus, token);
                progress.Scored += chunk.Length;
                progress.Publish();
            }
            items = await store.ItemsAsync(context.RunId, token);
        }
        ReportRewards(context, items, thresholds);
        if (!items.Any(i => i.Status is ConstructionStatus.Kept or ConstructionStatus.AwaitingAnnotation or ConstructionStatus.Revised
                or ConstructionStatus.Failed or ConstructionStatus.Skipped))
            throw new InvalidOperationException(
                $"eta1/eta2/eta3: the thresholds keep none of the {items.Count} scored instances; the reward histograms on the run page " +
                "show where R(X,Ŷ), R(X,Y) and their difference lie for this reward model");

        if (revision == RevisionModes.Endpoint)
        {
            var kept = items.Where(i => i.Status == ConstructionStatus.Kept).ToList();
            progress.ToRevise = items.Count(i => i.Status is ConstructionStatus.Kept or ConstructionStatus.Revised or ConstructionStatus.Failed);
            progress.Revised = progress.ToRevise - kept.Count;
            await ReviseAsync(context, kept, progress);
            items = await store.ItemsAsync(context.RunId, token);
            var tokenizer = TextTokenizer.Load(policyFolder);
            var datasetId = await store.FinalizeAsync(context.RunId, ConstructedDataset.Name(context.Spec.Name, context.RunId),
                records => new { tokenizer = o.Model.Model, construction = context.RunId, stats = Statistics(records, tokenizer, rewardModel, template) }, token);
            context.Metrics.Report(0, "revised", items.Count(i => i.Status == ConstructionStatus.Revised));
            context.Metrics.Report(0, "revision_failed", items.Count(i => i.Status == ConstructionStatus.Failed));
            if (datasetId is null && items.Any(i => i.Status == ConstructionStatus.Failed))
                throw new InvalidOperationException($"revision failed for every kept instance ({items.Count(i => i.Status == ConstructionStatus.Failed)}); see the instances' errors");
        }
    }

    /// <summary>Table 1 of “Beyond Imitation” for a constructed dataset: token lengths and edit operations, plus mean reward of
    /// Ŷ, Y and Ỹ under the reward model that filtered them.</summary>
    public static object Statistics(IReadOnlyList<SpaRecord> records, TextTokenizer tokenizer, RewardModel? rewardModel, PromptTemplate template)
    {
        var stats = SpaStatistics.Compute(records, tokenizer.Encode);
        if (rewardModel is null) return stats;
        double Mean(Func<SpaRecord, string> response) =>
            rewardModel.Score([.. records.Select(r => (r.Instruction, r.Input, response(r)))], template).Average();
        return new
        {
            stats.Count, stats.MeanOutputTokens, stats.MeanOriginalTokens, stats.MeanRevisedTokens,
            stats.MeanEditOpsOriginalToRevised, stats.MeanEditOpsOriginalToOutput,
            MeanRewardOriginal = Mean(r => r.OriginalOutput), MeanRewardOutput = Mean(r => r.Output), MeanRewardRevised = Mean(r => r.RevisedOutput),
        };
    }

    private async Task<IReadOnlyList<SpaRecord>> PoolAsync(string pool, int maxInstances, CancellationToken token)
    {
        var records = (await DatasetParameter.LoadAsync(datasets, "pool", pool, [DemoPool], token)).Require("pool", RecordPart.Output);
        if (maxInstances > 0) records = [.. records.Take(maxInstances)];
        if (records.Count == 0) throw new ArgumentException("pool: the pool has no instances");
        return records;
    }

    private async Task RolloutAsync(IRunContext context, SpaConstructionRunOptions o, string policyFolder, PromptTemplate template, Device device,
        IReadOnlyList<ConstructionItem> pending, Progress progress)
    {
        var tokenizer = TextTokenizer.Load(policyFolder);
        using var policy = Models.ModelFolder.Load(policyFolder);
        policy.to(device);
        var options = new GenerationOptions
        {
            MaxNewTokens = o.MaxNewTokens, Temperature = o.Temperature, TopP = o.TopP,
            EosTokenId = tokenizer.EosTokenId, StopTokenIds = tokenizer.EosTokenIds, PadTokenId = tokenizer.PadTokenId, Seed = o.Seed,
        };
        foreach (var batch in pending.Chunk(o.BatchSize))
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            var prompts = batch.Select(i => template.EncodePrompt(tokenizer, i.Instruction, i.Input)).ToList();
            // Seeded per batch from its first instance, so a resumed job samples what an uninterrupted one would have.
            var generated = TextGenerator.Generate(policy, prompts, options with { Seed = options.Seed + batch[0].Index });
            await store.SaveRolloutsAsync(context.RunId, [.. batch.Select((item, k) => (item.Index, tokenizer.Decode(generated[k].Tokens)))],
                context.CancellationToken);
            progress.RolledOut += batch.Length;
            progress.Publish();
        }
    }

    private async Task ReviseAsync(IRunContext context, IReadOnlyList<ConstructionItem> kept, Progress progress)
    {
        var token = context.CancellationToken;
        await Parallel.ForEachAsync(kept, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = token }, async (item, ct) =>
        {
            try
            {
                var revision = await reviser.ReviseAsync(RevisionPrompts.Question(item.Instruction, item.Input), item.Rollout!, item.Output, ct);
                await store.SaveRevisionAsync(context.RunId, item.Index, revision, "endpoint", CancellationToken.None);
            }
            catch (RevisionFailedException e)
            {
                await store.SaveFailureAsync(context.RunId, item.Index, e.Message, e.Attempts, CancellationToken.None);
            }
            lock (progress)
            {
                progress.Revised++;
                progress.Publish();
            }
        });
    }

    private static void ReportRewards(IRunContext context, IReadOnlyList<ConstructionItem> items, RewardThresholds thresholds)
    {
        var scored = items.Where(i => i.RolloutReward is not null).ToList();
        if (scored.Count == 0) return;
        context.Metrics.Report(0, "instances", items.Count);
        context.Metrics.Report(0, "kept", scored.Count(i => thresholds.Keeps(i.RolloutReward!.Value, i.OutputReward!.Value)));
        context.Metrics.Report(0, "mean_reward_rollout", scored.Average(i => i.RolloutReward!.Value));
        context.Metrics.Report(0, "mean_reward_reference", scored.Average(i => i.OutputReward!.Value));
    }

    /// <summary>Progress over the three stages: every instance is rolled out and scored, every kept one revised.</summary>
    private sealed class Progress(IRunContext context, int instances)
    {
        public int RolledOut, Scored, Revised, ToRevise;

        public void Report(int rolledOut, int scored, int revised)
        {
            (RolledOut, Scored, Revised) = (rolledOut, scored, revised);
            Publish();
        }

        public void Publish() => context.Metrics.ReportProgress(RolledOut + Scored + Revised, 2L * instances + ToRevise);
    }
}
