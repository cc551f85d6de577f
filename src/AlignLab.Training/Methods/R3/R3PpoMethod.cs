using AlignLab.Core.Datasets;
using AlignLab.Core.Methods;
using AlignLab.Core.R3;
using AlignLab.Training.Demo;
using AlignLab.Training.Methods.Common;
using AlignLab.Training.Methods.Ppo;
using AlignLab.Training.Registry;
using AlignLab.Training.Retrieval;

namespace AlignLab.Training.Methods.R3;

/// <summary>R³ PPO (“Preference-free Alignment Learning with Regularized Relevance Reward”): PPO against the preference-free regularised relevance reward, which needs only
/// (query, reference answer) pairs and each query's type. Defaults from METHODS.md §3: rollouts up to 512 tokens, lr 1e-5
/// constant, adaptive KL from 0.2, clip 0.2, γ 1, 4 PPO epochs, LoRA on the query and value projections.</summary>
public sealed class R3PpoMethod(ModelRegistry registry, IDatasetStore? datasets = null) : ITrainingMethod
{
    public const string Name = "r3-ppo";
    public const string Demo = "demo-r3";

    public MethodDescriptor Descriptor { get; } = new(
        Name,
        "R³ PPO: regularised relevance reward",
        "Preference-free PPO (“Preference-free Alignment Learning with Regularized Relevance Reward”): the reward is the relevance of the response to the query (open-ended) or to the reference answer (closed-ended), regularised by a length incentive and a repetition penalty.",
        "gpu",
        [
            .. TrainingParameters.Model(),
            ParameterSpec.Dataset("dataset", Demo, [Demo],
                "Queries with reference answers (output, or chosen) and optional query_type labels: an imported pool, SPA or preference dataset, or demo-r3.",
                DatasetLayout.KindsWith(RecordPart.Output)),
            ParameterSpec.Choice("query_types", "column", ["column", "all_oe", "all_ce"],
                "Where each query's type comes from: the dataset's query_type column (every record must have one), or one type for all."),
            ParameterSpec.Choice("ablation", "none", [.. R3Ablations.ByName.Keys], "“Preference-free Alignment Learning with Regularized Relevance Reward”'s reward ablations (Table 4)."),
            ParameterSpec.Model("retriever", "", ModelRole.Retriever,
                "Dense retriever for relevance: a BERT folder in HF layout with vocab.txt (e.g. Contriever) under a model root. Empty: the embedded lexical scorer (no weights)."),
            .. PpoParameters.Engine(maxNewTokens: 512),
            .. TrainingParameters.Optimization(learningRate: 1e-5, schedule: "constant", warmupSteps: 0, maxSteps: 5000, batchSize: 16, gradAccum: 1),
            .. TrainingParameters.Lora(enabled: true, rank: 16),
            .. TrainingParameters.Runtime(),
        ]);

    public async Task RunAsync(IRunContext context)
    {
        var p = context.Parameters;
        var records = (await DatasetParameter.LoadAsync(datasets, "dataset", p.GetString("dataset"), Demo,
            BuiltInDatasets.DemoR3.Load, context.CancellationToken)).Require("dataset", RecordPart.Output);
        var prompts = Prompts(records, p.GetString("query_types"));
        var ablation = R3Ablations.ByName[p.GetString("ablation")];
        var retriever = p.GetString("retriever");
        string? retrieverFolder = null;
        if (!string.IsNullOrWhiteSpace(retriever))
        {
            try { retrieverFolder = registry.Resolve(retriever); }
            catch (ArgumentException e) { throw new ArgumentException($"retriever: {e.Message}"); }
        }
        await PpoTrainer.RunAsync(context, registry, records, session => new R3RewardSource(prompts,
            retrieverFolder is null ? new LexicalRelevanceScorer() : RetrieverScorer.Load(retrieverFolder, session.Device),
            p.GetInt32("max_new_tokens"), ablation, p.GetInt32("seed")));
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
