using System.Diagnostics;
using System.Text.Json.Nodes;
using AlignLab.Core.Checkpoints;
using AlignLab.Core.Datasets;
using AlignLab.Core.Methods;
using AlignLab.Core.Ppo;
using AlignLab.Core.R3;
using AlignLab.Core.RewardHacking;
using AlignLab.Core.Runs;
using AlignLab.Training.Adapters;
using AlignLab.Training.Batching;
using AlignLab.Training.Inference;
using AlignLab.Training.Methods.Common;
using AlignLab.Training.Methods.Evaluation;
using AlignLab.Training.Models;
using AlignLab.Training.Registry;
using AlignLab.Training.Rewards;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Training.Methods.Ppo;

/// <summary>PPO with a reward model (“Aligning Large Language Models via Fine-grained Supervision”): a token-level reward
/// model gives fine-grained token-level PPO, a sequence-level one fine-grained PPO or PPO-RLHF, as <c>variant</c> names
/// and checks; the keyword reward serves smoke runs. <see cref="TrainAsync"/> is the PPO loop (docs/methods.md, the PPO
/// details), which R³ PPO runs with its own reward: sample responses, score them (per token or at the last token),
/// subtract β·(log π − log π_ref) per token (clamped at 0, optionally), optionally whiten those rewards, GAE, whitened
/// advantages, several epochs of clipped policy and value updates over minibatches; the critic is a value head on the
/// policy or a model of its own started from the reward model. The reference is a frozen copy of the initial policy, or, with LoRA, the same weights with the
/// adapters off.</summary>
public sealed class PpoMethod(ModelRegistry registry, IDatasetStore? datasets = null) : ITrainingMethod
{
    public const string Name = MethodNames.Ppo;
    public const string DemoPrompts = "demo-prompts";

    /// <summary>The exported policy's config.json key naming the PPO variant that trained it.</summary>
    public const string VariantKey = "alignlab_ppo_variant";

    public MethodDescriptor Descriptor { get; } = new(
        Name,
        "PPO with a reward model (token- or sequence-level)",
        "Proximal policy optimisation against a reward model: per-token rewards from a token-level model (fine-grained token-level PPO), or a sequence reward at the last token (PPO-RLHF).",
        "gpu",
        PpoRunOptions.Schema.Specs(PpoRunOptions.Defaults))
    {
        Presets = Presets.Of(PpoRunOptions.Schema, PpoRunOptions.Paper, PpoRunOptions.Demo),
        LinkedDefaults = [new LinkedDefault("critic", PpoRunOptions.CriticOnPolicy, "reward", ["keyword"], "the keyword reward has no model to start a critic from")],
    };

    /// <summary>A critic initialised from the reward model needs one: the keyword reward has none.</summary>
    public IReadOnlyDictionary<string, string> CheckCombination(IReadOnlyDictionary<string, JsonNode?> parameters, string? preset)
    {
        string Text(string name) => parameters.GetValueOrDefault(name)?.GetValue<string>() ?? "";
        return Text("critic") == PpoRunOptions.CriticFromRewardModel && (Text("reward") != "reward_model" || Text("reward_model").Length == 0)
            ? new Dictionary<string, string>
            {
                ["critic"] = "reward_model initialises the critic from the reward model: name a reward_model, or use critic policy (the keyword reward has no model)",
            }
            : new Dictionary<string, string>();
    }

    public async Task RunAsync(IRunContext context)
    {
        var o = PpoRunOptions.Schema.Bind(context.Parameters, PpoRunOptions.Defaults);
        var prompts = await PromptsAsync(o.Prompts, context.CancellationToken);
        var critic = o.Critic == PpoRunOptions.CriticFromRewardModel ? registry.Resolve(o.RewardModel) : null;
        await TrainAsync(context, registry, o, o.Ppo, prompts, session => RewardSource(o, session), critic,
            step => ExportEvaluation.RunAsync(context, registry, datasets, o.EvaluateWith, o, step, o.RewardModel, o.Ppo.MaxNewTokens),
            (step, session) => ExportEvaluation.AtCheckpointAsync(context, registry, datasets, o.EvaluateWith, o.EvaluateCheckpoints, o, step, session.Model,
                session.Tokenizer, o.RewardModel, o.Ppo.MaxNewTokens));
    }

    /// <param name="criticFolder">A reward model whose backbone the critic starts from; null: a value head on the policy.</param>
    /// <param name="afterExport">What follows the export, given the last step (the run's evaluate_with).</param>
    /// <param name="atEvaluation">What each best_every window's end but the last does with the policy as it is then (the
    /// run's evaluate_checkpoints).</param>
    public static async Task TrainAsync(IRunContext context, ModelRegistry registry, ITrainingOptions training, PpoOptions ppo,
        IReadOnlyList<SpaRecord> prompts, Func<TrainingSession, IRewardSource> rewardSource, string? criticFolder = null, Func<long, Task>? afterExport = null,
        Func<long, TrainingSession, Task>? atEvaluation = null)
    {
        var seed = training.Runtime.Seed;
        using var session = TrainingSession.Open(context, registry, training,
            model => new PolicyWithValueHead(model, criticFolder is null ? null : PolicyWithValueHead.CriticFrom(criticFolder, model, training.Runtime)));
        var agent = session.Module;
        using var reference = training.Lora.Enabled ? null : FrozenReference(session);
        using var rewards = rewardSource(session);
        IKlController kl = ppo.AdaptiveKl
            ? new AdaptiveKlController(ppo.InitKlCoef, ppo.TargetKl, ppo.KlHorizon)
            : new FixedKlController(ppo.InitKlCoef);
        if (kl is AdaptiveKlController adaptive && session.ExtraState.TryGetValue("kl_beta", out var beta)) adaptive.Reset(beta);
        var (scaling, moments) = (ppo.Scaling, new RunningMoments());
        if (session.ExtraState.TryGetValue("score_count", out var seen))
            moments.Reset(session.ExtraState["score_mean"], session.ExtraState["score_var"], seen);
        var batches = new ShuffledBatches<(string Instruction, string Input, int[] Prompt)>(
            [.. prompts.Select(r => (r.Instruction, r.Input, session.Template.EncodePrompt(session.Tokenizer, r.Instruction, r.Input)))],
            training.Optimization.BatchSize, seed);
        var sampleLog = new StepLog(Path.Combine(context.ArtifactDirectory, PpoArtifacts.SamplesFile));
        var rolloutLog = new StepLog(Path.Combine(context.ArtifactDirectory, PpoArtifacts.RolloutStatsFile));
        var rolloutsLog = new StepLog(Path.Combine(context.ArtifactDirectory, PpoArtifacts.RolloutsFile));
        sampleLog.TruncateAfter(session.Step);
        rolloutLog.TruncateAfter(session.Step);
        rolloutsLog.TruncateAfter(session.Step);
        // Best-checkpoint selection: the policy whose window of rollouts had the highest mean reward, kept beside the run.
        var best = new FileCheckpointStore(Path.Combine(context.ArtifactDirectory, "best"));
        var (windowReward, windowSteps) = (session.ExtraState.GetValueOrDefault("window_reward"), (int)session.ExtraState.GetValueOrDefault("window_steps"));

        context.Metrics.ReportProgress(session.Step, training.Optimization.MaxSteps);
        while (session.Step < training.Optimization.MaxSteps)
        {
            await session.StopIfCancelledAsync(context);
            using (var stepScope = NewDisposeScope())
            {
                var step = session.Step + 1;
                var learningRate = session.BeginStep();
                // 1. Rollouts.
                var rolloutClock = Stopwatch.StartNew();
                var picked = batches.Get(session.Step);
                var generated = TextGenerator.Generate(session.Model, [.. picked.Select(x => x.Prompt)], new GenerationOptions
                {
                    MaxNewTokens = ppo.MaxNewTokens, Temperature = ppo.Temperature, BatchSize = ppo.GenerationBatchSize,
                    EosTokenId = session.Tokenizer.EosTokenId, StopTokenIds = session.Tokenizer.EosTokenIds, PadTokenId = session.Tokenizer.PadTokenId, Seed = seed + session.Step,
                });
                var samples = picked.Select((x, i) =>
                {
                    int[] response = generated[i].EndedWithEos ? [.. generated[i].Tokens, generated[i].EndToken ?? session.Tokenizer.EosTokenId] : generated[i].Tokens;
                    if (response.Length == 0) response = [session.Tokenizer.EosTokenId];
                    return new PpoSample(x.Instruction, x.Input, x.Prompt, response, session.Tokenizer.Decode(generated[i].Tokens));
                }).ToList();
                var rolloutSeconds = rolloutClock.Elapsed.TotalSeconds;

                // 2. Scores, old log-probs and values, reference log-probs; rewards with the KL penalty; advantages.
                var rawScores = rewards.Score(samples);
                var components = rewards.LastComponents;
                var scores = scaling.Active ? Scaled(rawScores, rewards.PerToken) : rawScores;
                var batch = PpoBatch.Build(samples, scores, session.Tokenizer.PadTokenId, session.Device);
                // Scored in the generation's passes, each pass's logits (rows × length × vocabulary, per model) freed before the next.
                List<Tensor> oldParts = [], valueParts = [], referenceParts = [];
                var passRows = GenerationPasses.RowsPerPass(ppo.GenerationBatchSize, samples.Count);
                using (no_grad())
                {
                    agent.eval();
                    for (int first = 0; first < samples.Count; first += passRows)
                    {
                        using var passScope = NewDisposeScope();
                        var rows = Math.Min(passRows, samples.Count - first);
                        var (ids, response) = (batch.InputIds.narrow(0, first, rows), batch.ResponseMask.narrow(0, first, rows));
                        var unpadded = batch.Rollouts.Unpadded([.. Enumerable.Range(first, rows)], ids.shape[1]);
                        var (tokens, values) = agent.Score(ids, response, unpadded, withEntropy: false);
                        oldParts.Add(tokens.LogProbs.MoveToOuterDisposeScope());
                        valueParts.Add((PpoBatch.ShiftRight(values.to(ScalarType.Float32)) * response).MoveToOuterDisposeScope());
                        var referenceTokens = reference is not null
                            ? TokenLogProbs.OfResponses(reference, ids, response, unpadded, withEntropy: false)
                            : Lora.WithoutAdapters(session.Model, () => TokenLogProbs.OfResponses(session.Model, ids, response, unpadded, withEntropy: false));
                        referenceParts.Add(referenceTokens.LogProbs.MoveToOuterDisposeScope());
                    }
                    agent.train();
                }
                var (oldLogProbs, oldValues, referenceLogProbs) = (cat(oldParts, 0), cat(valueParts, 0), cat(referenceParts, 0));
                var penalised = PpoMath.PenalisedRewards(batch.Scores, oldLogProbs, referenceLogProbs, batch.ResponseMask, kl.Beta, ppo.KlClamp);
                var gaeRewards = ppo.WhitenRewards ? PpoMath.WhitenKeepingMean(penalised, batch.ResponseMask) : penalised;
                var (gaeAdvantages, returns) = PpoMath.Gae(gaeRewards, oldValues, batch.ResponseMask, ppo.Gamma, ppo.Lam);
                var advantages = PpoMath.Whiten(gaeAdvantages, batch.ResponseMask);
                var sequenceKl = PpoMath.TokenKl(oldLogProbs, referenceLogProbs, batch.ResponseMask, ppo.KlClamp).sum(1).mean().item<float>();

                // 3. PPO epochs over minibatches.
                var trainClock = Stopwatch.StartNew();
                // The minibatches' policy loss, value loss, entropy, clip fraction and approximate KL, and the optimizer steps'
                // gradient norms, summed on the device and read once after the epochs: nothing in the loop waits for the device.
                using var sums = zeros(5, dtype: ScalarType.Float32, device: session.Device);
                using var gradNorms = zeros(1, dtype: ScalarType.Float32, device: session.Device);
                int updates = 0, optimizerSteps = 0, accumulated = 0;
                // Rows that begin alike (a prompt template's opening) share those positions' passes unless the policy draws dropout.
                var (sharesPrefixes, computed) = (session.Model.ComputesSharedPrefixesOnce(), 0L);
                void Update()
                {
                    using var norm = session.OptimizerStep(training.Optimization.MaxGradNorm);
                    gradNorms.add_(norm);
                    (optimizerSteps, accumulated) = (optimizerSteps + 1, 0);
                }
                var miniBatch = Math.Min(ppo.MiniBatchSize, samples.Count);
                var order = new Random(seed + (int)session.Step);
                for (int epoch = 0; epoch < ppo.PpoEpochs; epoch++)
                {
                    var rows = Enumerable.Range(0, samples.Count).ToArray();
                    order.Shuffle(rows);
                    foreach (var chunk in rows.Chunk(miniBatch))
                    {
                        using var scope = NewDisposeScope();
                        var Pick = batch.Rollouts.Rows(chunk);
                        var mask = Pick(batch.ResponseMask);
                        var layout = batch.Rollouts.Unpadded(chunk);
                        var (logProbs, values) = agent.Score(Pick(batch.InputIds), mask, layout, withEntropy: true);
                        computed += sharesPrefixes ? layout.Tokens : layout.RealTokens;
                        var policy = PpoMath.PolicyLoss(logProbs.LogProbs, Pick(oldLogProbs), Pick(advantages), mask, ppo.ClipRange);
                        var value = PpoMath.ValueLoss(PpoBatch.ShiftRight(values.to(ScalarType.Float32)), Pick(oldValues), Pick(returns), mask, ppo.ClipRangeValue);
                        var entropyMean = (logProbs.Entropy * mask).sum() / mask.sum();
                        // At ent_coef 0 (the presets') the entropy is only reported: left out of the loss, its pass over the
                        // vocabulary is not back-propagated.
                        var loss = policy.Loss + ppo.VfCoef * value;
                        if (ppo.EntCoef != 0) loss -= ppo.EntCoef * entropyMean;
                        // grad_accum minibatches make one optimizer update, each contributing its share of the loss.
                        session.Backward(loss / ppo.GradAccum);
                        if (++accumulated == ppo.GradAccum) Update();
                        sums.add_(stack([policy.Loss, value, entropyMean, policy.ClipFraction, policy.ApproxKl]).detach().to(ScalarType.Float32));
                        updates++;
                    }
                    // An epoch's last minibatches update the model even when fewer than grad_accum remain.
                    if (accumulated > 0) Update();
                }
                var read = cat([sums, gradNorms]).cpu().data<float>().ToArray();
                var means = read[..5].Select(sum => (double)sum / updates).ToArray();
                var gradNorm = (double)read[5] / optimizerSteps;
                session.CompleteStep();
                kl.Update(sequenceKl, samples.Count);
                session.ExtraState["kl_beta"] = kl.Beta;

                var rawReward = rawScores.Average(s => s.Sum());
                var responseTokens = samples.Sum(s => s.Response.Length);
                context.Metrics.Report(step, "reward", rawReward);
                (windowReward, windowSteps) = (windowReward + rawReward, windowSteps + 1);
                if (ppo.BestEvery > 0 && step % ppo.BestEvery == 0)
                {
                    var mean = windowReward / windowSteps;
                    context.Metrics.Report(step, "window_reward", mean);
                    if (!session.ExtraState.TryGetValue("best_reward", out var bestReward) || mean > bestReward)
                    {
                        (session.ExtraState["best_reward"], session.ExtraState["best_step"]) = (mean, step);
                        await TrainingCheckpoint.SaveAsync(best, step, session.Trainable, session.Optimizer, masters: session.Masters);
                    }
                    (windowReward, windowSteps) = (0, 0);
                }
                (session.ExtraState["window_reward"], session.ExtraState["window_steps"]) = (windowReward, windowSteps);
                if (scaling.Active) context.Metrics.Report(step, "reward_scaled", scores.Average(s => s.Sum()));
                context.Metrics.Report(step, "reward_with_kl", (penalised.sum(1)).mean().item<float>());
                context.Metrics.Report(step, "kl", sequenceKl);
                context.Metrics.Report(step, "kl_beta", kl.Beta);
                foreach (var (name, mean) in new[] { "policy_loss", "value_loss", "entropy", "clip_fraction", "approx_kl" }.Zip(means))
                    context.Metrics.Report(step, name, mean);
                context.Metrics.Report(step, "explained_variance", PpoMath.ExplainedVariance(oldValues, returns, batch.ResponseMask));
                context.Metrics.Report(step, "response_length", (double)responseTokens / samples.Count);
                context.Metrics.Report(step, "rollout_tokens_per_s", responseTokens / rolloutSeconds);
                context.Metrics.Report(step, "train_tokens_per_s", batch.Tokens * ppo.PpoEpochs / trainClock.Elapsed.TotalSeconds);
                context.Metrics.Report(step, "shared_token_fraction", 1 - (double)computed / (batch.Tokens * ppo.PpoEpochs));
                context.Metrics.Report(step, "lr", learningRate);
                context.Metrics.Report(step, "grad_norm", gradNorm);
                foreach (var (name, value) in components) context.Metrics.Report(step, name, value);
                // Every rollout's reward-hacking signs (copying the query, repetition, length) for the run's report.
                var stats = samples.Select((s, i) => RolloutStat.Measure(step, QueryText.Of(s.Instruction, s.Input), s.ResponseText,
                    generated[i].Tokens.Length, truncated: !generated[i].EndedWithEos)).ToList();
                rolloutLog.Append(stats);
                context.Metrics.Report(step, "query_copy_share", stats.Average(s => s.CopiesQuery ? 1.0 : 0.0));
                context.Metrics.Report(step, "repeat_4gram", stats.Average(s => s.Repeat4));
                var sampleEvery = ppo.SampleEvery;
                if (sampleEvery > 0 && (step % sampleEvery == 0 || step == 1))
                {
                    sampleLog.Append(samples.Take(4).Select((s, i) => new GenerationSample(step, s.Instruction, s.Input, s.ResponseText, rawScores[i].Sum())));
                    if (ppo.RolloutsKept > 0)
                        rolloutsLog.Append(RolloutRecords.Of(step, samples.Take(ppo.RolloutsKept).ToList(), session.Tokenizer, batch.ResponseMask,
                            new(oldLogProbs, referenceLogProbs, PpoMath.TokenKl(oldLogProbs, referenceLogProbs, batch.ResponseMask, ppo.KlClamp), oldValues,
                                batch.Scores, gaeRewards, gaeAdvantages),
                            rawScores, rewards.LastSampleComponents, stats));
                }
            }
            // PPO's evaluation steps are its best-checkpoint windows; the last step's policy is the export's (or the best one is).
            if (atEvaluation is not null && ppo.BestEvery > 0 && session.Step % ppo.BestEvery == 0 && session.Step < session.MaxSteps)
                await atEvaluation(session.Step, session);
            await session.EndOfStepAsync(context);
        }
        if (ppo.BestEvery > 0 && best.Latest() is { } kept && session.ExtraState.TryGetValue("best_step", out var bestStep))
        {
            TrainingCheckpoint.Restore(kept, session.Trainable, session.Optimizer, masters: session.Masters);
            context.Metrics.Report(session.Step, "exported_step", bestStep);
        }
        session.Export(context);
        if (afterExport is not null) await afterExport(session.Step);

        // TRL's score scaling and clipping, the running moments saved with each checkpoint: a sequence reward is one value
        // per rollout (placed back at its last token), a token-level reward one value per token.
        IReadOnlyList<double[]> Scaled(IReadOnlyList<double[]> raw, bool perToken)
        {
            IReadOnlyList<double[]> result;
            if (perToken)
            {
                var flat = scaling.Apply([.. raw.SelectMany(r => r)], moments);
                var k = 0;
                result = [.. raw.Select(r => r.Select(_ => flat[k++]).ToArray())];
            }
            else
            {
                var scaled = scaling.Apply([.. raw.Select(r => r.Sum())], moments);
                result = [.. raw.Select((r, i) => { var row = new double[r.Length]; row[^1] = scaled[i]; return row; })];
            }
            (session.ExtraState["score_mean"], session.ExtraState["score_var"], session.ExtraState["score_count"]) = (moments.Mean, moments.Variance, moments.Count);
            return result;
        }
    }

    private IRewardSource RewardSource(PpoRunOptions o, TrainingSession session)
    {
        if (o.Reward == "keyword")
        {
            if (o.Variant != PpoVariant.Auto) throw new ArgumentException("variant: the keyword reward is no reward model; use variant auto");
            var tokens = session.Tokenizer.Encode(o.Keyword.StartsWith(' ') ? o.Keyword : " " + o.Keyword);
            if (string.IsNullOrWhiteSpace(o.Keyword) || tokens.Length == 0) throw new ArgumentException("keyword: required for the keyword reward");
            return new KeywordRewardSource(tokens.ToHashSet(), o.Keyword);
        }
        if (string.IsNullOrWhiteSpace(o.RewardModel)) throw new ArgumentException("reward_model: a reward model folder is required");
        var model = RewardModel.Load(registry.Resolve(o.RewardModel), session.Device);
        try
        {
            session.ExportConfig[VariantKey] = PpoVariant.Resolve(o.Variant, model.TokenLevel, model.TrainedOn);
            return new RewardModelSource(model, session.Template, session.Tokenizer);
        }
        catch { model.Dispose(); throw; }
    }

    private async Task<IReadOnlyList<SpaRecord>> PromptsAsync(string source, CancellationToken cancellationToken) =>
        (await DatasetParameter.LoadAsync(datasets, "prompts", source, [DemoPrompts], cancellationToken)).Records;

    private static CausalLM FrozenReference(TrainingSession session)
    {
        var reference = ModelFolder.Load(session.ModelFolder);
        reference.to(session.Device);
        if (session.Model.parameters().First().dtype == ScalarType.BFloat16) reference.to(ScalarType.BFloat16);
        foreach (var parameter in reference.parameters()) parameter.requires_grad = false;
        reference.eval();
        reference.SharePrefixes = session.Model.SharePrefixes;
        return reference;
    }
}
