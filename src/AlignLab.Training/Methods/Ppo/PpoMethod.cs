using System.Diagnostics;
using System.Text.Json;
using AlignLab.Core.Datasets;
using AlignLab.Core.Methods;
using AlignLab.Core.Ppo;
using AlignLab.Training.Adapters;
using AlignLab.Training.Demo;
using AlignLab.Training.Inference;
using AlignLab.Training.Methods.Common;
using AlignLab.Training.Models;
using AlignLab.Training.Ppo;
using AlignLab.Training.Registry;
using AlignLab.Training.Rewards;
using AlignLab.Training.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Training.Methods.Ppo;

/// <summary>PPO against a reward source (METHODS.md, the PPO details): sample responses, score them (per token or at
/// the last token), subtract β·(log π − log π_ref) per token, GAE, whitened advantages, several epochs of clipped
/// policy and value updates over minibatches. The reference is a frozen copy of the initial policy, or, with LoRA,
/// the same weights with the adapters off. With a token-level reward model this is seed 002's fine-grained
/// token-level PPO; with a sequence-level one, standard PPO-RLHF.</summary>
public sealed class PpoMethod(ModelRegistry registry, IDatasetStore? datasets = null) : ITrainingMethod
{
    public const string Name = "ppo";
    public const string SamplesFile = "samples.jsonl";
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
                "Seed 002's variants: fine-grained-token (token-level reward model), fine-grained (sequence-level, trained on edited pairs), ppo-rlhf (sequence-level, original pairs); the reward model must match. auto: whatever it is."),
            ParameterSpec.Choice("reward", "reward_model", ["reward_model", "keyword"], "Reward source: a reward model folder, or +1 per token of a keyword (smoke runs)."),
            ParameterSpec.Model("reward_model", "", ModelRole.Reward, "Reward model: a reward-model run's export (runs/{id}/export), or any HF *ForSequenceClassification folder."),
            ParameterSpec.Text("keyword", "", 100, "The keyword of the keyword reward."),
            ParameterSpec.Number("init_kl_coef", 0.2, 0, 100, "Initial β of the per-token KL penalty."),
            ParameterSpec.Boolean("adaptive_kl", true, "Adapt β towards target_kl (Ziegler et al.); off: β stays fixed."),
            ParameterSpec.Number("target_kl", 6, 0.001, 1000, "Target KL of the adaptive controller."),
            ParameterSpec.Number("kl_horizon", 10_000, 1, 1e9, "Horizon of the adaptive controller."),
            ParameterSpec.Number("gamma", 1, 0, 1, "GAE discount γ."),
            ParameterSpec.Number("lam", 0.95, 0, 1, "GAE λ."),
            ParameterSpec.Number("cliprange", 0.2, 0.01, 10, "Policy ratio clip ε."),
            ParameterSpec.Number("cliprange_value", 0.2, 0.01, 100, "Value clip around the rollout's values."),
            ParameterSpec.Number("vf_coef", 0.1, 0, 100, "Weight of the value loss."),
            ParameterSpec.Number("ent_coef", 0, 0, 10, "Weight of the entropy bonus."),
            ParameterSpec.Integer("ppo_epochs", 4, 1, 100, "Passes over each rollout batch."),
            ParameterSpec.Integer("mini_batch_size", 4, 1, 4096, "Rollouts per PPO update."),
            ParameterSpec.Integer("max_new_tokens", 32, 1, 4096, "Longest response."),
            ParameterSpec.Number("temperature", 1, 0.01, 10, "Sampling temperature of the rollouts."),
            ParameterSpec.Integer("sample_every", 10, 0, 1_000_000, "Store sample generations every N steps (0: never)."),
            .. TrainingParameters.Optimization(learningRate: 1e-5, schedule: "constant", warmupSteps: 0, maxSteps: 100, batchSize: 16, gradAccum: 1),
            .. TrainingParameters.Lora(),
            .. TrainingParameters.Runtime(),
        ]);

    public async Task RunAsync(IRunContext context)
    {
        var p = context.Parameters;
        var prompts = await PromptsAsync(p.GetString("prompts"), context.CancellationToken);
        PolicyWithValueHead? agent = null;
        using var session = TrainingSession.Open(context, registry, model => agent = new PolicyWithValueHead(model));
        var lora = p.GetBoolean("lora");
        using var reference = lora ? null : FrozenReference(session);
        using var rewards = RewardSource(p, session);
        IKlController kl = p.GetBoolean("adaptive_kl")
            ? new AdaptiveKlController(p.GetDouble("init_kl_coef"), p.GetDouble("target_kl"), p.GetDouble("kl_horizon"))
            : new FixedKlController(p.GetDouble("init_kl_coef"));
        if (kl is AdaptiveKlController adaptive && session.ExtraState.TryGetValue("kl_beta", out var beta)) adaptive.Reset(beta);
        var batches = new ShuffledBatches<(string Instruction, string Input, int[] Prompt)>(
            [.. prompts.Select(r => (r.Instruction, r.Input, session.Tokenizer.Encode(session.Template.Render(r.Instruction, r.Input))))],
            p.GetInt32("batch_size"), p.GetInt32("seed"));
        var sampleLog = new SampleLog(Path.Combine(context.ArtifactDirectory, SamplesFile));
        sampleLog.TruncateAfter(session.Step);

        await session.TrainAsync(context, trainStep: () =>
        {
            var step = session.Step + 1;
            var learningRate = session.BeginStep();
            // 1. Rollouts.
            var rolloutClock = Stopwatch.StartNew();
            var picked = batches.Get(session.Step);
            var generated = TextGenerator.Generate(session.Model, [.. picked.Select(x => x.Prompt)], new GenerationOptions
            {
                MaxNewTokens = p.GetInt32("max_new_tokens"), Temperature = p.GetDouble("temperature"),
                EosTokenId = session.Tokenizer.EosTokenId, PadTokenId = session.Tokenizer.PadTokenId, Seed = p.GetInt32("seed") + session.Step,
            });
            var samples = picked.Select((x, i) =>
            {
                int[] response = generated[i].EndedWithEos ? [.. generated[i].Tokens, session.Tokenizer.EosTokenId] : generated[i].Tokens;
                if (response.Length == 0) response = [session.Tokenizer.EosTokenId];
                return new PpoSample(x.Instruction, x.Input, x.Prompt, response, session.Tokenizer.Decode(generated[i].Tokens));
            }).ToList();
            var rolloutSeconds = rolloutClock.Elapsed.TotalSeconds;

            // 2. Scores, old log-probs and values, reference log-probs; rewards with the KL penalty; advantages.
            var scores = rewards.Score(samples);
            var batch = PpoBatch.Build(samples, scores, session.Tokenizer.PadTokenId, session.Device);
            Tensor oldLogProbs, oldValues, referenceLogProbs;
            using (no_grad())
            {
                agent!.eval();
                var (logits, values) = agent.Forward(batch.InputIds, batch.AttentionMask);
                oldLogProbs = TokenLogProbs.FromLogits(logits, batch.InputIds, batch.ResponseMask, withEntropy: false).LogProbs;
                oldValues = PpoBatch.ShiftRight(values.to(ScalarType.Float32)) * batch.ResponseMask;
                var referenceLogits = reference is not null
                    ? reference.Forward(batch.InputIds, batch.AttentionMask)
                    : Lora.WithoutAdapters(session.Model, () => session.Model.Forward(batch.InputIds, batch.AttentionMask));
                referenceLogProbs = TokenLogProbs.FromLogits(referenceLogits, batch.InputIds, batch.ResponseMask, withEntropy: false).LogProbs;
                agent.train();
            }
            var penalised = PpoMath.PenalisedRewards(batch.Scores, oldLogProbs, referenceLogProbs, batch.ResponseMask, kl.Beta);
            var (advantages, returns) = PpoMath.Gae(penalised, oldValues, batch.ResponseMask, p.GetDouble("gamma"), p.GetDouble("lam"));
            advantages = PpoMath.Whiten(advantages, batch.ResponseMask);
            var sequenceKl = ((oldLogProbs - referenceLogProbs) * batch.ResponseMask).sum(1).mean().item<float>();

            // 3. PPO epochs over minibatches.
            var trainClock = Stopwatch.StartNew();
            double policyLoss = 0, valueLoss = 0, entropy = 0, clipFraction = 0, approxKl = 0, gradNorm = 0;
            int updates = 0;
            var miniBatch = Math.Min(p.GetInt32("mini_batch_size"), samples.Count);
            var order = new Random(p.GetInt32("seed") + (int)session.Step);
            for (int epoch = 0; epoch < p.GetInt32("ppo_epochs"); epoch++)
            {
                var rows = Enumerable.Range(0, samples.Count).ToArray();
                order.Shuffle(rows);
                foreach (var chunk in rows.Chunk(miniBatch))
                {
                    using var scope = NewDisposeScope();
                    var index = tensor(chunk.Select(i => (long)i).ToArray(), device: session.Device);
                    Tensor Pick(Tensor x) => x.index_select(0, index);
                    var mask = Pick(batch.ResponseMask);
                    var (logits, values) = agent!.Forward(Pick(batch.InputIds), Pick(batch.AttentionMask));
                    var logProbs = TokenLogProbs.FromLogits(logits, Pick(batch.InputIds), mask);
                    var policy = PpoMath.PolicyLoss(logProbs.LogProbs, Pick(oldLogProbs), Pick(advantages), mask, p.GetDouble("cliprange"));
                    var value = PpoMath.ValueLoss(PpoBatch.ShiftRight(values.to(ScalarType.Float32)), Pick(oldValues), Pick(returns), mask, p.GetDouble("cliprange_value"));
                    var entropyMean = (logProbs.Entropy * mask).sum() / mask.sum();
                    var loss = policy.Loss + p.GetDouble("vf_coef") * value - p.GetDouble("ent_coef") * entropyMean;
                    loss.backward();
                    gradNorm += session.OptimizerStep(p.GetDouble("max_grad_norm"));
                    policyLoss += policy.Loss.item<float>();
                    valueLoss += value.item<float>();
                    entropy += entropyMean.item<float>();
                    clipFraction += policy.ClipFraction.item<float>();
                    approxKl += policy.ApproxKl.item<float>();
                    updates++;
                }
            }
            session.CompleteStep();
            kl.Update(sequenceKl, samples.Count);
            session.ExtraState["kl_beta"] = kl.Beta;

            var rawReward = scores.Average(s => s.Sum());
            var responseTokens = samples.Sum(s => s.Response.Length);
            context.Metrics.Report(step, "reward", rawReward);
            context.Metrics.Report(step, "reward_with_kl", (penalised.sum(1)).mean().item<float>());
            context.Metrics.Report(step, "kl", sequenceKl);
            context.Metrics.Report(step, "kl_beta", kl.Beta);
            context.Metrics.Report(step, "entropy", entropy / updates);
            context.Metrics.Report(step, "policy_loss", policyLoss / updates);
            context.Metrics.Report(step, "value_loss", valueLoss / updates);
            context.Metrics.Report(step, "clip_fraction", clipFraction / updates);
            context.Metrics.Report(step, "approx_kl", approxKl / updates);
            context.Metrics.Report(step, "explained_variance", PpoMath.ExplainedVariance(oldValues, returns, batch.ResponseMask));
            context.Metrics.Report(step, "response_length", (double)responseTokens / samples.Count);
            context.Metrics.Report(step, "rollout_tokens_per_s", responseTokens / rolloutSeconds);
            context.Metrics.Report(step, "train_tokens_per_s", batch.Tokens * p.GetInt32("ppo_epochs") / trainClock.Elapsed.TotalSeconds);
            context.Metrics.Report(step, "lr", learningRate);
            context.Metrics.Report(step, "grad_norm", gradNorm / updates);
            var sampleEvery = p.GetInt32("sample_every");
            if (sampleEvery > 0 && (step % sampleEvery == 0 || step == 1))
                sampleLog.Append(step, samples.Take(4), scores);
        }, evaluate: _ => { });
    }

    private CausalLM FrozenReference(TrainingSession session)
    {
        var reference = ModelFolder.Load(session.ModelFolder);
        reference.to(session.Device);
        if (session.Model.parameters().First().dtype == ScalarType.BFloat16) reference.to(ScalarType.BFloat16);
        foreach (var parameter in reference.parameters()) parameter.requires_grad = false;
        reference.eval();
        return reference;
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
        (await DatasetParameter.LoadAsync(datasets, "prompts", source, DemoPrompts, () => new StoredDataset(Guid.Empty, DatasetKinds.Pool,
            [.. DemoData.Generate(500, seed: 31).Select(e => new SpaRecord(e.Instruction, e.Input, e.Response, "", ""))]), cancellationToken)).Records;
}
