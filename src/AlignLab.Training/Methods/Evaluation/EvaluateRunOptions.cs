using AlignLab.Core.Datasets;
using AlignLab.Core.Evaluation;
using AlignLab.Core.Methods;
using AlignLab.Core.Tokenization;
using AlignLab.Training.Demo;
using AlignLab.Training.Methods.Common;

namespace AlignLab.Training.Methods.Evaluation;

/// <summary>Everything an evaluation run is told, typed: the models to compare and the sets to run them on, in one job so
/// that every model meets the same items under the same settings.</summary>
public sealed record EvaluateRunOptions
{
    public IReadOnlyList<string> Models { get; init; } = [DemoModel.Name];
    public IReadOnlyList<string> Sets { get; init; } = [EvaluateMethod.DemoChoices, EvaluateMethod.DemoGeneration];
    public string Template { get; init; } = "alpaca";
    public string RewardModel { get; init; } = "";
    public string Judge { get; init; } = NoJudge;
    public string JudgePrompt { get; init; } = PairwiseJudgePrompt.Default;
    public string Baseline { get; init; } = "";
    public bool LengthControlled { get; init; } = true;
    public bool RelevantSentences { get; init; }
    public string RelevancePrompt { get; init; } = Core.Evaluation.RelevantSentences.DefaultPrompt;
    public int MaxNewTokens { get; init; } = 64;
    public double Temperature { get; init; }
    public double TopP { get; init; } = 1;
    public int BatchSize { get; init; } = 8;
    public int Resamples { get; init; } = 1000;
    public RuntimeOptions Runtime { get; init; } = new();

    public static EvaluateRunOptions Defaults { get; } = new();

    public const int MaxModels = 16, MaxSets = 16;

    /// <summary>The judges of the win rate: none, the chat-completions endpoint, or the reward model.</summary>
    public const string NoJudge = "none", EndpointJudge = "endpoint", RewardModelJudge = "reward_model";

    public static ParameterSchema<EvaluateRunOptions> Schema { get; } = new ParameterSchema<EvaluateRunOptions>()
        .Models(o => o.Models, "models", ModelRole.Policy, MaxModels,
            "The models to evaluate, side by side: folders under a model root or runs' exports (runs/{id}/export).")
        .Datasets(o => o.Sets, "sets", [EvaluateMethod.DemoChoices, EvaluateMethod.DemoGeneration], MaxSets,
            "Evaluation sets: imported generation or multiple-choice datasets, or the demo's (demo-eval-choices, demo-eval-generation).",
            DatasetKinds.Evaluation)
        .Choice(o => o.Template, "template", [.. PromptTemplate.Names],
            "Prompt template around each prompt, as in training; model: each model's own chat template.")
        .Model(o => o.RewardModel, "reward_model", ModelRole.Reward,
            "Reward model that scores the responses to generation sets (FIGA's Reward column); empty: none.")
        .Choice(o => o.Judge, "judge", [NoJudge, EndpointJudge, RewardModelJudge],
            "Win rate of each model's responses to generation sets against the baseline: judged by the chat-completions endpoint (AlpacaEval's pairwise " +
            "comparison, both orders, ties half) or by reward_model (a win when the response scores higher); none: no win rate.")
        .Text(o => o.JudgePrompt, "judge_prompt", 8000,
            "The endpoint judge's prompt: {instruction}, {output_a} and {output_b} are filled in; its answer's last line names Output (a), Output (b) or Tie.")
        .Text(o => o.Baseline, "baseline", 400,
            "What each model is compared with: empty for the set's reference answers, or one of models (its responses).")
        .Boolean(o => o.LengthControlled, "length_controlled",
            "Also report win_rate_lc, the win rate with the length difference regressed out as AlpacaEval 2 does (a logistic regression " +
            "of each verdict on tanh of the standardized length difference, read at equal lengths).")
        .Boolean(o => o.RelevantSentences, "relevant_sentences",
            "Report rel_sentences (%Rel): the chat-completions endpoint marks each sentence of a response Relevant or Irrelevant to its " +
            "prompt, and a response scores its share of relevant sentences (Preference-free Alignment Learning with Regularized Relevance Reward, Appendix D.2).")
        .Text(o => o.RelevancePrompt, "relevance_prompt", 8000,
            "The relevance judge's prompt (the paper's by default): {question} and {answer} are filled in; it answers one line per sentence, ending in Relevant or Irrelevant.")
        .Integer(o => o.MaxNewTokens, "max_new_tokens", 1, 4096, "Longest response to a generation prompt.")
        .Number(o => o.Temperature, "temperature", 0, 10, "Sampling temperature of the responses; 0: greedy decoding (the default, as the papers' reward columns).")
        .Number(o => o.TopP, "top_p", 0.01, 1, "Nucleus sampling's probability mass, with a temperature above 0 (seeded by seed).")
        .Integer(o => o.BatchSize, "batch_size", 1, 512, "Generation prompts answered at once.")
        .Integer(o => o.Resamples, "resamples", 100, 100_000, "Bootstrap resamples behind each 95% interval.")
        .Group(o => o.Runtime, RuntimeOptions.Schema);
}
