using AlignLab.Core.R3;
using AlignLab.Training.Methods.Ppo;

namespace AlignLab.Training.Methods.R3;

/// <summary>R³ as PPO's reward (“Preference-free Alignment Learning with Regularized Relevance Reward”): each response's regularised relevance reward at its last token. Every prompt
/// brings its reference answer and query type; the random-query-type ablation draws the type per rollout instead
/// (seeded by step). Responses are cleaned at the run's prompt template's role markers (<paramref name="roleMarkers"/>)
/// and the authors' separators. The means of relevance, LI, RP and the share of closed-ended rollouts are logged each step.</summary>
public sealed class R3RewardSource(IReadOnlyDictionary<(string Instruction, string Input), (string Reference, QueryType Type)> prompts,
    IRelevanceScorer scorer, int maxLength, R3Ablation ablation, int seed, IReadOnlyList<string> roleMarkers, RelevanceText relevanceText) : IRewardSource
{
    private int _calls;
    private Dictionary<string, double> _components = [];

    public string Description => $"R³ reward ({scorer.Name})";

    public IReadOnlyDictionary<string, double> LastComponents => _components;

    public IReadOnlyList<IReadOnlyDictionary<string, double>> LastSampleComponents { get; private set; } = [];

    public IReadOnlyList<double[]> Score(IReadOnlyList<PpoSample> samples)
    {
        var random = new Random(seed + _calls++);
        var items = samples.Select(s =>
        {
            var (reference, type) = prompts[(s.Instruction, s.Input)];
            if (ablation == R3Ablation.RandomQueryType) type = random.Next(2) == 0 ? QueryType.OpenEnded : QueryType.ClosedEnded;
            return new R3Item(QueryText.Of(s.Instruction, s.Input), s.ResponseText, reference, type);
        }).ToList();
        var scores = R3Reward.ScoreAll(items, scorer, maxLength, ablation, roleMarkers, relevanceText);
        _components = new Dictionary<string, double>
        {
            ["r3_relevance"] = scores.Average(x => x.Relevance),
            ["r3_length_incentive"] = scores.Average(x => x.LengthIncentive),
            ["r3_repetition_penalty"] = scores.Average(x => x.RepetitionPenalty),
            ["r3_closed_ended_share"] = scores.Average(x => x.Branch == QueryType.ClosedEnded ? 1.0 : 0.0),
        };
        LastSampleComponents = [.. scores.Select(x => (IReadOnlyDictionary<string, double>)new Dictionary<string, double>
        {
            ["r3_relevance"] = x.Relevance, ["r3_length_incentive"] = x.LengthIncentive, ["r3_repetition_penalty"] = x.RepetitionPenalty,
            ["r3_closed_ended"] = x.Branch == QueryType.ClosedEnded ? 1 : 0,
        })];
        return [.. samples.Select((s, i) => Enumerable.Range(0, s.Response.Length).Select(t => t == s.Response.Length - 1 ? scores[i].Total : 0.0).ToArray())];
    }

    public void Dispose() => (scorer as IDisposable)?.Dispose();
}
