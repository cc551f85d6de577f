using System.Text.Json;
using System.Text.Json.Nodes;
using AlignLab.Core.Datasets;
using AlignLab.Core.Evaluation;
using AlignLab.Core.Methods;
using AlignLab.Core.Text;
using AlignLab.Core.Tokenization;
using AlignLab.Training.Evaluation;
using AlignLab.Training.Inference;
using AlignLab.Training.Methods.Common;
using AlignLab.Training.Models;
using AlignLab.Training.Registry;
using AlignLab.Training.Rewards;
using AlignLab.Training.Runtime;
using TorchSharp;
using static TorchSharp.torch;
using Row = AlignLab.Core.Evaluation.EvaluationArtifacts.ItemRow;

namespace AlignLab.Training.Methods.Evaluation;

/// <summary>Evaluates models on evaluation sets, the way the papers measured their runs. For every model in turn and every
/// set: a multiple-choice item's choices are scored by log-likelihood (<see cref="ChoiceLogLikelihood"/>); a generation
/// prompt is answered greedily and the response scored by the reward model, if one is named. Each item's record is
/// appended as it is done, so a resumed run skips what is there; at the end every (model, set, metric) gets its value and
/// a bootstrap 95% interval (<see cref="EvaluationResults"/>). With a judge, every model's response to a generation item is
/// then compared with the baseline's (the reference answer, or another model's response), and with relevant_sentences
/// judged sentence by sentence; those judgements are kept the same way (<see cref="EvaluationJudging"/>).</summary>
public sealed class EvaluateMethod(ModelRegistry registry, IDatasetStore? datasets = null, IPairwiseJudge? judge = null,
    IRelevanceJudge? relevance = null) : ITrainingMethod
{
    private readonly EvaluationJudging _judging = new(judge, relevance);

    public const string Name = MethodNames.Evaluate;
    public const string DemoChoices = "demo-eval-choices", DemoGeneration = "demo-eval-generation";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public MethodDescriptor Descriptor { get; } = new(
        Name,
        "Evaluate models side by side",
        "Multiple-choice accuracy by log-likelihood, and the reward and text statistics of greedy responses, for several models on the same sets, each with a bootstrap 95% interval.",
        "gpu",
        EvaluateRunOptions.Schema.Specs(EvaluateRunOptions.Defaults));

    /// <summary>What a judge needs: the endpoint configured and a prompt with its placeholders, or a reward model; a
    /// baseline model must be one of those evaluated.</summary>
    public IReadOnlyDictionary<string, string> CheckCombination(IReadOnlyDictionary<string, JsonNode?> parameters, string? preset)
    {
        var errors = new Dictionary<string, string>();
        string Text(string name) => parameters.GetValueOrDefault(name)?.GetValue<string>() ?? "";
        if (Text("judge") == EvaluateRunOptions.EndpointJudge)
        {
            if (_judging.PairwiseUnavailable is { } why) errors["judge"] = $"endpoint: {why}";
            if (PairwiseJudgePrompt.Problem(Text("judge_prompt")) is { } problem) errors["judge_prompt"] = problem;
        }
        if (parameters.GetValueOrDefault("relevant_sentences")?.GetValue<bool>() == true)
        {
            if (_judging.RelevanceUnavailable is { } why) errors["relevant_sentences"] = why;
            if (RelevantSentences.Problem(Text("relevance_prompt")) is { } problem) errors["relevance_prompt"] = problem;
        }
        if (Text("judge") == EvaluateRunOptions.RewardModelJudge && Text("reward_model").Length == 0)
            errors["reward_model"] = "required with judge reward_model: the reward model that scores both responses";
        var models = parameters.GetValueOrDefault("models") is JsonArray list ? list.Select(m => m!.GetValue<string>()).ToList() : [];
        if (Text("baseline") is { Length: > 0 } baseline && !models.Contains(baseline))
            errors["baseline"] = $"'{baseline}' is not one of models; the baseline's responses come from evaluating it beside them";
        return errors;
    }

    public Task RunAsync(IRunContext context) =>
        EvaluateAsync(context, EvaluateRunOptions.Schema.Bind(context.Parameters, EvaluateRunOptions.Defaults), registry.Resolve);

    /// <summary>The evaluation itself, which a training run also runs on its export when it names sets to evaluate with.</summary>
    /// <param name="resolve">A model reference's folder.</param>
    /// <param name="afterTraining">The step a training run ended at: the evaluation then leaves the run's progress alone and
    /// reports its results at that step; null for an evaluation run of its own.</param>
    /// <param name="inMemory">A model being trained, evaluated as it is under its name in <c>o.Models</c> (a checkpoint's
    /// "step 40"): neither loaded nor disposed here.</param>
    public async Task EvaluateAsync(IRunContext context, EvaluateRunOptions o, Func<string, string> resolve, long? afterTraining = null,
        (string Name, CausalLM Model, TextTokenizer Tokenizer)? inMemory = null)
    {
        void Progress(long done, long total) { if (afterTraining is null) context.Metrics.ReportProgress(done, total); }
        var sets = new List<(string Name, StoredDataset Data)>();
        foreach (var set in o.Sets)
        {
            var data = await DatasetParameter.LoadAsync(datasets, "sets", set, [DemoChoices, DemoGeneration], context.CancellationToken);
            if (!DatasetKinds.Evaluation.Contains(data.Kind))
                throw new ArgumentException($"sets: {set} is a {DatasetLayout.For(data.Kind).Title} dataset; an evaluation reads {string.Join(" or ", DatasetKinds.Evaluation)} sets");
            sets.Add((set, data));
        }
        var device = TorchDevice.Parse(o.Runtime.Device);
        var path = Path.Combine(context.ArtifactDirectory, EvaluationArtifacts.ItemsFile);
        // The records an earlier attempt wrote (the first of each item, should a line have been written twice).
        var items = JsonLines.Read<Row>(path, Json).DistinctBy(EvaluationArtifacts.Key).ToList();
        var done = items.Select(EvaluationArtifacts.Key).ToHashSet();
        var total = (long)o.Models.Count * sets.Sum(s => s.Data.Records.Count);
        Progress(done.Count, total);
        using var rewardModel = o.RewardModel is { Length: > 0 } folder ? RewardModel.Load(resolve(folder), device) : null;

        await using (var writer = JsonLines.Append(path))
        {
            void Write(Row row)
            {
                writer.WriteLine(JsonSerializer.Serialize(row, Json));
                writer.Flush();
                items.Add(row);
                done.Add(EvaluationArtifacts.Key(row));
                Progress(done.Count, total);
            }
            foreach (var model in o.Models)
            {
                if (sets.All(s => Enumerable.Range(0, s.Data.Records.Count).All(i => done.Contains((model, s.Name, i))))) continue;
                var trained = inMemory is { } given && given.Name == model ? given : ((string, CausalLM, TextTokenizer)?)null;
                using var loaded = trained is null ? Load(resolve(model), device, o.Runtime.Precision) : null;
                var lm = trained?.Item2 ?? loaded!;
                var tokenizer = trained?.Item3 ?? TextTokenizer.Load(resolve(model));
                var template = PromptTemplate.Resolve(o.Template, tokenizer);
                foreach (var (set, data) in sets)
                {
                    var pending = Enumerable.Range(0, data.Records.Count).Where(i => !done.Contains((model, set, i))).ToList();
                    if (data.Kind == DatasetKinds.MultipleChoice)
                        foreach (var i in pending)
                        {
                            context.CancellationToken.ThrowIfCancellationRequested();
                            var item = data.Records[i];
                            var scores = ChoiceLogLikelihood.Score(lm, tokenizer, template, item.Instruction, item.Choices!, device);
                            Write(new Row(model, set, i, item.Instruction, scores, MultipleChoice.Prediction(scores),
                                MultipleChoice.NormalizedPrediction(scores, item.Choices!), item.Answer, Choices: item.Choices,
                                Group: item.Group is { Length: > 0 } group ? group : null));
                        }
                    else
                        foreach (var chunk in pending.Chunk(o.BatchSize))
                        {
                            context.CancellationToken.ThrowIfCancellationRequested();
                            foreach (var row in Answer(lm, tokenizer, template, rewardModel, o, model, set, [.. chunk.Select(i => (i, data.Records[i]))]))
                                Write(row);
                        }
                }
            }
        }

        var generationSets = sets.Where(s => s.Data.Kind == DatasetKinds.Generation).Select(s => s.Name).ToList();
        var judgements = o.Judge == EvaluateRunOptions.NoJudge ? []
            : await _judging.WinRateAsync(o, generationSets, items, rewardModel, context.ArtifactDirectory, context.CancellationToken);
        var relevant = o.RelevantSentences ? await _judging.RelevanceAsync(o, generationSets, items, context.ArtifactDirectory, context.CancellationToken) : [];
        var results = EvaluationResults.Compute(items, o.Resamples, o.Runtime.Seed, judgements, relevant, o.LengthControlled);
        await File.WriteAllTextAsync(Path.Combine(context.ArtifactDirectory, EvaluationArtifacts.ResultsFile),
            JsonSerializer.Serialize(results, Json), context.CancellationToken);
        // Each result as a metric too, for the run page: "acc · demo-eval-choices" at step k for the k-th model (from 1), or
        // at the last step of the training run it evaluates.
        foreach (var result in results.Where(r => o.Models.Contains(r.Model)))
            context.Metrics.Report(afterTraining ?? o.Models.ToList().IndexOf(result.Model) + 1, $"{result.Metric} · {result.Set}", result.Value);
    }

    /// <summary>Responses to a batch of generation prompts (greedy unless the run sets a temperature), with their rewards.</summary>
    private static IEnumerable<Row> Answer(CausalLM lm, TextTokenizer tokenizer, PromptTemplate template, RewardModel? rewardModel,
        EvaluateRunOptions o, string model, string set, IReadOnlyList<(int Index, SpaRecord Record)> batch)
    {
        var prompts = batch.Select(b => template.EncodePrompt(tokenizer, b.Record.Instruction, b.Record.Input)).ToList();
        IReadOnlyList<TextGenerator.Sequence> generated;
        using (EvalMode.Enter(lm))
            generated = TextGenerator.Generate(lm, prompts, new GenerationOptions
            {
                MaxNewTokens = o.MaxNewTokens, Temperature = o.Temperature, TopP = o.TopP, EosTokenId = tokenizer.EosTokenId, StopTokenIds = tokenizer.EosTokenIds,
                PadTokenId = tokenizer.PadTokenId, Seed = o.Runtime.Seed,
            });
        var responses = generated.Select(g => tokenizer.Decode(g.Tokens).Trim()).ToList();
        var rewards = rewardModel?.Score([.. batch.Select((b, k) => (b.Record.Instruction, b.Record.Input, responses[k]))], template, o.BatchSize);
        return batch.Select((b, k) => new Row(model, set, b.Index, RewardModel.QueryText(b.Record.Instruction, b.Record.Input),
            Response: responses[k], Reference: b.Record.Output.Length > 0 ? b.Record.Output : null, Reward: rewards?[k],
            ResponseTokens: generated[k].Tokens.Length, Truncated: !generated[k].EndedWithEos));
    }

    private static CausalLM Load(string folder, Device device, string precision)
    {
        var lm = ModelFolder.Load(folder);
        lm.to(device);
        if (Core.Training.Precision.ComputesInBf16(Core.Training.Precision.Resolve(precision, device.type == DeviceType.CUDA ? "cuda" : "cpu")))
            lm.to(ScalarType.BFloat16);
        lm.eval();
        return lm;
    }

}
