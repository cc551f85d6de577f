namespace AlignLab.Training.Ppo;

/// <summary>One rollout: the prompt (as text and ids) and the response the policy sampled (ids, with the EOS it
/// emitted, if any; and as text).</summary>
public sealed record PpoSample(string Instruction, string Input, int[] Prompt, int[] Response, string ResponseText);

/// <summary>Where PPO's rewards come from: a reward per response token of each sample (a sequence-level reward is
/// all zeros but the last token). The PPO engine adds the KL penalty; sources only judge the responses.</summary>
public interface IRewardSource : IDisposable
{
    string Description { get; }

    IReadOnlyList<double[]> Score(IReadOnlyList<PpoSample> samples);
}
