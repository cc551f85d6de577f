namespace AlignLab.Training.Methods.Ppo;

/// <summary>One rollout: the prompt (as text and ids) and the response the policy sampled (ids, with the EOS it
/// emitted, if any; and as text).</summary>
public sealed record PpoSample(string Instruction, string Input, int[] Prompt, int[] Response, string ResponseText);

/// <summary>Where PPO's rewards come from: a reward per response token of each sample (a sequence-level reward is
/// all zeros but the last token). The PPO engine adds the KL penalty; sources only judge the responses.</summary>
public interface IRewardSource : IDisposable
{
    string Description { get; }

    IReadOnlyList<double[]> Score(IReadOnlyList<PpoSample> samples);

    /// <summary>Whether every token carries a reward of its own (a token-level reward model); otherwise the reward is one
    /// number per rollout, at its last token. Score scaling treats each reward as one value.</summary>
    bool PerToken => false;

    /// <summary>Means of the reward's parts over the last <see cref="Score"/> call, logged as metrics beside PPO's
    /// (R³'s relevance, LI, RP, …); empty for a reward with no parts.</summary>
    IReadOnlyDictionary<string, double> LastComponents => new Dictionary<string, double>();

    /// <summary>Each sample's parts of its reward over the last <see cref="Score"/> call, in the samples' order; empty for a
    /// reward with no parts.</summary>
    IReadOnlyList<IReadOnlyDictionary<string, double>> LastSampleComponents => [];
}
