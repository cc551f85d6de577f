namespace AlignLab.Core.Ppo;

/// <summary>One stored sample generation of a PPO run at a step: the prompt (instruction and input), the response and its
/// reward. A row of <see cref="PpoArtifacts.SamplesFile"/>.</summary>
public sealed record GenerationSample(long Step, string Prompt, string Input, string Response, double Reward);
