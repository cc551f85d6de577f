using System.Text.Json.Nodes;
using AlignLab.Core.Datasets;
using AlignLab.Core.Methods;
using AlignLab.Core.R3;
using AlignLab.Training.Methods.Common;
using AlignLab.Training.Methods.Evaluation;
using AlignLab.Training.Methods.Ppo;
using AlignLab.Training.Registry;
using AlignLab.Training.Retrieval;

namespace AlignLab.Training.Methods.R3;

/// <summary>R³ PPO (“Preference-free Alignment Learning with Regularized Relevance Reward”): PPO against the preference-free
/// regularised relevance reward, which needs only (query, reference answer) pairs and each query's type; its options and
/// their defaults are <see cref="R3PpoRunOptions"/>.</summary>
public sealed class R3PpoMethod(ModelRegistry registry, IDatasetStore? datasets = null) : ITrainingMethod
{
    public const string Name = MethodNames.R3Ppo;
    public const string Demo = "demo-r3";

    public MethodDescriptor Descriptor { get; } = new(
        Name,
        "R³ PPO: regularised relevance reward",
        "Preference-free PPO (“Preference-free Alignment Learning with Regularized Relevance Reward”): the reward is the relevance of the response to the query (open-ended) or to the reference answer (closed-ended), regularised by a length incentive and a repetition penalty.",
        "gpu",
        R3PpoRunOptions.Schema.Specs(R3PpoRunOptions.Defaults))
    {
        Presets = Presets.Of(R3PpoRunOptions.Schema, R3PpoRunOptions.Paper, R3PpoRunOptions.Demo),
    };

    /// <summary>The paper's relevance is a dense retriever's (Contriever's) dot product: a run without one is refused, except on
    /// the demo preset, whose lexical stand-in is labelled as not being R³.</summary>
    public IReadOnlyDictionary<string, string> CheckCombination(IReadOnlyDictionary<string, JsonNode?> parameters, string? preset) =>
        parameters.GetValueOrDefault("retriever")?.GetValue<string>() is { Length: > 0 } || preset == Presets.Demo
            ? new Dictionary<string, string>()
            : new Dictionary<string, string>
            {
                ["retriever"] = "required: R³'s relevance is a dense retriever's dot product (Contriever in the paper); name a BERT retriever " +
                    "folder, or use the demo preset, which runs a lexical stand-in that is not R³",
            };

    public async Task RunAsync(IRunContext context)
    {
        var o = R3PpoRunOptions.Schema.Bind(context.Parameters, R3PpoRunOptions.Defaults);
        var records = (await DatasetParameter.LoadAsync(datasets, "dataset", o.Dataset, [Demo], context.CancellationToken))
            .Require("dataset", RecordPart.Output);
        var prompts = Prompts(records, o.QueryTypes);
        var ablation = R3Ablations.ByName[o.Ablation];
        string? retrieverFolder = null;
        if (!string.IsNullOrWhiteSpace(o.Retriever))
        {
            try { retrieverFolder = registry.Resolve(o.Retriever); }
            catch (ArgumentException e) { throw new ArgumentException($"retriever: {e.Message}"); }
        }
        await PpoMethod.TrainAsync(context, registry, o, o.Ppo, records, session => new R3RewardSource(prompts,
            retrieverFolder is null ? new LexicalRelevanceScorer() : RetrieverScorer.Load(retrieverFolder, session.Device),
            o.Ppo.MaxNewTokens, ablation, o.Runtime.Seed, session.Template.RoleMarkers, o.RelevanceText),
            afterExport: step => ExportEvaluation.RunAsync(context, registry, datasets, o.EvaluateWith, o, step, maxNewTokens: o.Ppo.MaxNewTokens),
            atEvaluation: (step, session) => ExportEvaluation.AtCheckpointAsync(context, registry, datasets, o.EvaluateWith, o.EvaluateCheckpoints, o, step,
                session.Model, session.Tokenizer, maxNewTokens: o.Ppo.MaxNewTokens));
    }

    /// <summary>Each prompt's reference answer and query type; a "column" dataset whose records lack labels fails here, naming how many.</summary>
    private static Dictionary<(string, string), (string, QueryType)> Prompts(IReadOnlyList<SpaRecord> records, string source)
    {
        if (source == "column")
        {
            var unlabelled = records.Count(r => QueryTypes.Parse(r.QueryType) is null);
            if (unlabelled > 0)
                throw new ArgumentException($"query_types: {unlabelled} of {records.Count} records have no query_type label (OE or CE); label them, or choose all_oe or all_ce");
        }
        var prompts = new Dictionary<(string, string), (string, QueryType)>();
        foreach (var r in records)
            prompts[(r.Instruction, r.Input)] = (r.Output, source switch
            {
                "all_oe" => QueryType.OpenEnded,
                "all_ce" => QueryType.ClosedEnded,
                _ => QueryTypes.Parse(r.QueryType)!.Value,
            });
        return prompts;
    }
}
