namespace AlignLab.Core.R3;

/// <summary>A query as relevance scorers and the reward-hacking measures read it: the instruction, and the input after
/// it when there is one.</summary>
public static class QueryText
{
    public static string Of(string instruction, string input) => string.IsNullOrWhiteSpace(input) ? instruction : $"{instruction}\n{input}";
}
