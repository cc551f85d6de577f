using System.Text.Json;
using AlignLab.Core.Datasets;
using AlignLab.Core.Methods;
using AlignLab.Core.R3;
using AlignLab.Core.Runs;
using AlignLab.Core.Tokenization;
using AlignLab.Training.Inference;
using AlignLab.Training.Methods.Common;
using AlignLab.Training.Methods.Ppo;
using AlignLab.Training.Models;
using AlignLab.Training.Registry;
using AlignLab.Training.Runtime;
using TorchSharp;

namespace AlignLab.Training.Methods.R3;

/// <summary>Labels a dataset's queries open- or closed-ended for R³ (“Preference-free Alignment Learning with Regularized Relevance Reward”, appendix B): the question of “Preference-free Alignment Learning with Regularized Relevance Reward” sent
/// to the configured chat-completions endpoint (GPT-4 in the paper) or answered by a local model. Reports how many
/// of each, and where the records already carry labels, the agreement with them. Ends with a copy of the dataset
/// whose query_type column holds the classifier's labels; R³ PPO reads it with query_types=column. Verdicts are kept
/// as they come (query_types.jsonl), so a restarted job asks only what is left; a query the endpoint never answered
/// usably fails the run, naming how many, and the dataset is written only once every query has a type.</summary>
public sealed class QueryTypeClassificationMethod(ModelRegistry registry, IDatasetStore datasets, IQueryTypeEndpoint endpoint) : ITrainingMethod
{
    public const string Name = MethodNames.QueryTypes;
    private const int Chunk = 64;

    public MethodDescriptor Descriptor { get; } = new(
        Name,
        "Query types (R³): open- or closed-ended",
        "Classify each query of a dataset as open- or closed-ended with “Preference-free Alignment Learning with Regularized Relevance Reward”'s prompt, through the configured chat-completions endpoint or a local model; report counts and agreement with existing labels, and write a labelled copy of the dataset for R³ PPO.",
        "gpu",
        QueryTypeRunOptions.Schema.Specs(QueryTypeRunOptions.Defaults));

    private sealed record Verdict(int Index, string? Type, string Answer, string? Error, int Attempts);

    public async Task RunAsync(IRunContext context)
    {
        var o = QueryTypeRunOptions.Schema.Bind(context.Parameters, QueryTypeRunOptions.Defaults);
        var token = context.CancellationToken;
        var useEndpoint = o.UsesEndpoint;
        // Everything that can be wrong with the request fails here, before anything is asked or written.
        if (useEndpoint && endpoint.NotConfiguredReason is { } notConfigured)
            throw new ArgumentException($"classifier: {notConfigured}; configure one, or choose classifier=model");
        var source = await DatasetParameter.LoadAsync(datasets, "dataset", o.Dataset, [R3PpoMethod.Demo], token);
        var records = o.MaxInstances is > 0 and var max ? [.. source.Records.Take(max)] : source.Records;
        if (records.Count == 0) throw new ArgumentException("dataset: the dataset has no records");
        var modelFolder = useEndpoint ? null : registry.Resolve(o.Model.Model);

        var verdictPath = Path.Combine(context.ArtifactDirectory, QueryTypeArtifacts.VerdictsFile);
        var verdicts = new Verdict?[records.Count];
        foreach (var kept in StepLog.Read<Verdict>(verdictPath).Where(v => v.Index >= 0 && v.Index < records.Count))
            verdicts[kept.Index] = kept;      // a later line for the same query (a retry) wins
        var pending = Enumerable.Range(0, records.Count).Where(i => verdicts[i]?.Type is null).ToList();
        context.Metrics.ReportProgress(records.Count - pending.Count, records.Count);

        if (pending.Count > 0)
        {
            using var classifier = useEndpoint ? endpoint.Classifier(o.EndpointModel) : LocalClassifier(modelFolder!, o);
            var log = new StepLog(verdictPath);
            foreach (var chunk in pending.Chunk(Chunk))
            {
                token.ThrowIfCancellationRequested();
                var answers = await classifier.ClassifyAsync([.. chunk.Select(i => QueryTypePrompt.Conversation(records[i].Instruction, records[i].Input))], token);
                var written = chunk.Select((index, k) => new Verdict(index, answers[k].Type?.Label(), answers[k].Answer, answers[k].Error, answers[k].Attempts)).ToList();
                log.Append(written);
                foreach (var v in written) verdicts[v.Index] = v;
                context.Metrics.ReportProgress(verdicts.Count(v => v?.Type is not null), records.Count);
            }
        }

        var predicted = verdicts.Select(v => QueryTypes.Parse(v?.Type)).ToList();
        var agreement = QueryTypeAgreement.Build([.. records.Select(r => QueryTypes.Parse(r.QueryType))], predicted);
        Report(context, agreement);
        if (agreement.Unclassified > 0)
        {
            var first = verdicts.First(v => v?.Type is null);
            throw new InvalidOperationException($"classifier: {agreement.Unclassified} of {records.Count} queries got no usable answer " +
                $"(query {first!.Index}: {first.Error}); retry the run to ask only those again");
        }
        var labelled = records.Select((r, i) => r with { QueryType = predicted[i]!.Value.Label() }).ToList();
        var classifierName = useEndpoint ? $"endpoint {(o.EndpointModel is { Length: > 0 } m ? m : "(configured model)")}" : o.Model.Model;
        var datasetId = await datasets.SaveFromRunAsync(context.RunId, DatasetName(context.Spec.Name, context.RunId), source.Kind, labelled,
            new { count = labelled.Count, source = o.Dataset, classifier = classifierName, agreement }, token);
        await File.WriteAllTextAsync(Path.Combine(context.ArtifactDirectory, QueryTypeArtifacts.SummaryFile),
            JsonSerializer.Serialize(new QueryTypeSummary(datasetId, classifierName, agreement), QueryTypeSummary.Json), token);
    }

    public static string DatasetName(string runName, Guid runId) => $"{runName} (query types from run {runId.Short()})";

    private static LocalQueryTypeClassifier LocalClassifier(string folder, QueryTypeRunOptions o)
    {
        var tokenizer = TextTokenizer.Load(folder);
        var template = PromptTemplate.Resolve(o.Model.Template, tokenizer);
        var device = TorchDevice.Parse(o.Device);
        var model = ModelFolder.Load(folder);
        model.to(device);
        return new LocalQueryTypeClassifier(model, tokenizer, template, device, o.BatchSize, ownsModel: true);
    }

    private static void Report(IRunContext context, QueryTypeAgreement agreement)
    {
        context.Metrics.Report(0, "open_ended", agreement.OpenEnded);
        context.Metrics.Report(0, "closed_ended", agreement.ClosedEnded);
        context.Metrics.Report(0, "unclassified", agreement.Unclassified);
        context.Metrics.Report(0, "labelled", agreement.Labelled);
        if (agreement.Agreement is { } share) context.Metrics.Report(0, "agreement", share);
        if (agreement.Kappa is { } kappa) context.Metrics.Report(0, "kappa", kappa);
    }
}
