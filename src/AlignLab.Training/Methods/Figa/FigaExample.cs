using AlignLab.Core.Figa;

namespace AlignLab.Training.Methods.Figa;

/// <summary>One SPA instance as the model sees it: the prompt's tokens and both responses (EOS last) with
/// their Eq. 1 weights and labels.</summary>
public sealed record FigaExample(string Instruction, string Input, int[] Prompt, int[] Original, int[] Revised, FigaWeights Weights);
