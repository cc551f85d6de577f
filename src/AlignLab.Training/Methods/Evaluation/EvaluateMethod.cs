using System.Text.Json;
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
/// a bootstrap 95% interval (<see cref="EvaluationResults"/>).</summary>
public sealed class EvaluateMethod(ModelRegistry registry, IDatasetStore? datasets = null) : ITrainingMethod
{
    public const string Name = MethodNames.Evaluate;
    public const string DemoChoices = "demo-eval-choices", DemoGeneration = "demo-eval-generation";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public MethodDescriptor Descriptor { get; } = new(
        Name,
        "Evaluate models side by side",
        "Multiple-choice accuracy by log-likelihood, and the reward and text statistics of greedy responses, for several models on the same sets, each with a bootstrap 95% interval.",
        "gpu",
        EvaluateRunOptions.Schema.Specs(EvaluateRunOptions.Defaults));

    public async Task RunAsync(IRunContext context)
    {
        var o = EvaluateRunOptions.Schema.Bind(context.Parameters, EvaluateRunOptions.Defaults);
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
        context.Metrics.ReportProgress(done.Count, total);
        using var rewardModel = o.RewardModel is { Length: > 0 } folder ? RewardModel.Load(registry.Resolve(folder), device) : null;

        await using (var writer = JsonLines.Append(path))
        {
            void Write(Row row)
            {
                writer.WriteLine(JsonSerializer.Serialize(row, Json));
                writer.Flush();
                items.Add(row);
                done.Add(EvaluationArtifacts.Key(row));
                context.Metrics.ReportProgress(done.Count, total);
            }
            foreach (var model in o.Models)
            {
                if (sets.All(s => Enumerable.Range(0, s.Data.Records.Count).All(i => done.Contains((model, s.Name, i))))) continue;
                using var lm = Load(registry.Resolve(model), device, o.Runtime.Precision);
                var tokenizer = TextTokenizer.Load(registry.Resolve(model));
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
                                MultipleChoice.NormalizedPrediction(scores, item.Choices!), item.Answer));
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

        var results = EvaluationResults.Compute(items, o.Resamples, o.Runtime.Seed);
        await File.WriteAllTextAsync(Path.Combine(context.ArtifactDirectory, EvaluationArtifacts.ResultsFile),
            JsonSerializer.Serialize(results, Json), context.CancellationToken);
        // Each result as a metric too, for the run page: "acc · demo-eval-choices" at step k for the k-th model (from 1).
        foreach (var result in results)
            context.Metrics.Report(o.Models.ToList().IndexOf(result.Model) + 1, $"{result.Metric} · {result.Set}", result.Value);
    }

    /// <summary>Greedy responses to a batch of generation prompts, with their rewards.</summary>
    private static IEnumerable<Row> Answer(CausalLM lm, TextTokenizer tokenizer, PromptTemplate template, RewardModel? rewardModel,
        EvaluateRunOptions o, string model, string set, IReadOnlyList<(int Index, SpaRecord Record)> batch)
    {
        var prompts = batch.Select(b => template.EncodePrompt(tokenizer, b.Record.Instruction, b.Record.Input)).ToList();
        IReadOnlyList<TextGenerator.Sequence> generated;
        using (EvalMode.Enter(lm))
            generated = TextGenerator.Generate(lm, prompts, new GenerationOptions
            {
                MaxNewTokens = o.MaxNewTokens, Temperature = 0, EosTokenId = tokenizer.EosTokenId, StopTokenIds = tokenizer.EosTokenIds,
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
        if (precision == "bf16" || (precision == "auto" && device.type == DeviceType.CUDA)) lm.to(ScalarType.BFloat16);
        lm.eval();
        return lm;
    }

}
