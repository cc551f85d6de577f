namespace AlignLab.Core.Ppo;

/// <summary>One PPO rollout as the rollouts browser shows it (<see cref="PpoArtifacts.RolloutsFile"/>): the prompt and the
/// response's tokens, and per token every quantity the update saw: the log-probability under the policy that sampled it and
/// under the reference, the KL term between them (as the penalty counts it), the critic's value, the reward model's score
/// (a token-level reward model's per token; a sequence reward at the last token), the reward GAE read (the score with the KL
/// penalty, whitened where the run whitens rewards), and the advantage GAE gave (before PPO whitens advantages over the
/// batch). <see cref="Score"/> is the rollout's reward before scaling, <see cref="Components"/> its parts (R³'s relevance,
/// length incentive, repetition penalty), and the flags its reward-hacking signs.</summary>
public sealed record RolloutRecord(long Step, int Index, string Prompt, string Response, IReadOnlyList<string> Tokens,
    IReadOnlyList<float> LogProb, IReadOnlyList<float> RefLogProb, IReadOnlyList<float> Kl, IReadOnlyList<float> Value,
    IReadOnlyList<float> TokenScore, IReadOnlyList<float> Reward, IReadOnlyList<float> Advantage, double Score,
    IReadOnlyDictionary<string, double>? Components, bool CopiesQuery, bool Repetitive, bool Truncated)
{
    /// <summary>The per-token channels by name, as the API's <c>channel</c> and the page's selector call them.</summary>
    public static readonly IReadOnlyList<string> Channels = ["logprob", "ref_logprob", "kl", "value", "token_score", "reward", "advantage"];

    public IReadOnlyList<float> Channel(string name) => name switch
    {
        "logprob" => LogProb,
        "ref_logprob" => RefLogProb,
        "kl" => Kl,
        "value" => Value,
        "token_score" => TokenScore,
        "reward" => Reward,
        "advantage" => Advantage,
        _ => throw new ArgumentException($"unknown channel '{name}'; known: {string.Join(", ", Channels)}"),
    };

    /// <summary>Its reward-hacking flags by the names the API filters on.</summary>
    public bool Has(string flag) => flag switch
    {
        "copies_query" => CopiesQuery,
        "repetitive" => Repetitive,
        "truncated" => Truncated,
        _ => throw new ArgumentException($"unknown flag '{flag}'; known: {string.Join(", ", Flags)}"),
    };

    public static readonly IReadOnlyList<string> Flags = ["copies_query", "repetitive", "truncated"];
}
