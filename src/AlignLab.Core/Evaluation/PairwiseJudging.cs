using System.Text.RegularExpressions;

namespace AlignLab.Core.Evaluation;

/// <summary>Which of two outputs a judge prefers: the one shown as (a), the one shown as (b), or neither.</summary>
public enum Verdict { A, B, Tie }

/// <summary>A judge's verdict on one ordering of a pair, with the reasoning it gave before it.</summary>
public sealed record JudgeAnswer(Verdict Verdict, string Reasoning);

/// <summary>Judges a pair of outputs from a rendered prompt (<see cref="PairwiseJudgePrompt"/>). Throws
/// <see cref="JudgeFailedException"/> once it gives up on a prompt.</summary>
public interface IPairwiseJudge
{
    /// <summary>Why no judge can be asked (no endpoint configured), or null.</summary>
    string? NotConfiguredReason { get; }

    Task<JudgeAnswer> JudgeAsync(string prompt, CancellationToken cancellationToken);
}

public sealed class JudgeFailedException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The pairwise prompt of an evaluation's judge, AlpacaEval's kind of comparison in AlignLab's words: the
/// instruction and two outputs, reasoning first, then a last line naming Output (a), Output (b) or Tie. A run may replace
/// it (parameter <c>judge_prompt</c>); every placeholder must stay.</summary>
public static partial class PairwiseJudgePrompt
{
    public const string Instruction = "{instruction}", OutputA = "{output_a}", OutputB = "{output_b}";

    public const string Default =
        "You are judging two answers to the same instruction. Decide which answer a careful person would prefer: the one that " +
        "follows the instruction, is correct, helpful and harmless. The order in which the answers appear does not matter, and " +
        "length alone should not decide.\n\n# Instruction\n{instruction}\n\n# Output (a)\n{output_a}\n\n# Output (b)\n{output_b}\n\n" +
        "Explain your reasoning in a few sentences. Then, on a last line of its own, write exactly one of: Output (a), Output (b), Tie";

    /// <summary>What is wrong with a prompt template: the placeholders it lacks; null when it has all three.</summary>
    public static string? Problem(string template)
    {
        var missing = new[] { Instruction, OutputA, OutputB }.Where(p => !template.Contains(p, StringComparison.Ordinal)).ToList();
        return missing.Count == 0 ? null : $"must contain {string.Join(", ", missing)}: where the instruction and the two outputs go";
    }

    /// <summary>The template with the instruction and the outputs in place, in one pass (an output that itself contains
    /// "{output_b}" stays as it is).</summary>
    public static string Render(string template, string instruction, string outputA, string outputB) =>
        PlaceholderRegex().Replace(template, m => m.Value switch
        {
            Instruction => instruction,
            OutputA => outputA,
            _ => outputB,
        });

    /// <summary>The verdict on the answer's last non-empty line (markdown emphasis and a closing full stop ignored), and the
    /// reasoning before it; null when that line names none of the three.</summary>
    public static JudgeAnswer? Parse(string answer)
    {
        var lines = answer.Split('\n').Select(l => l.Trim()).ToList();
        var last = lines.FindLastIndex(l => l.Length > 0);
        if (last < 0) return null;
        var verdict = lines[last].Trim('*', '_', '`', '.', ' ', '"').ToLowerInvariant() switch
        {
            "output (a)" => Verdict.A,
            "output (b)" => Verdict.B,
            "tie" => Verdict.Tie,
            _ => (Verdict?)null,
        };
        return verdict is { } v ? new JudgeAnswer(v, string.Join("\n", lines.Take(last)).Trim()) : null;
    }

    [GeneratedRegex(@"\{(instruction|output_a|output_b)\}")]
    private static partial Regex PlaceholderRegex();
}

/// <summary>The win rate of a model against a baseline (the set's reference answers, or another model): every pair is
/// judged in both orders, the model first as (a) and then as (b), to cancel the judge's position bias; a win counts 1, a
/// tie ½, a loss 0, and an item scores the mean of its two orders. A judge that always prefers (a) gives ½ to every
/// item.</summary>
public static class WinRate
{
    /// <param name="modelAsA">The verdict when the model's output was (a).</param>
    /// <param name="modelAsB">The verdict when the model's output was (b).</param>
    public static double Score(Verdict modelAsA, Verdict modelAsB) => (Points(modelAsA, Verdict.A) + Points(modelAsB, Verdict.B)) / 2;

    private static double Points(Verdict verdict, Verdict model) => verdict == Verdict.Tie ? 0.5 : verdict == model ? 1 : 0;

    /// <summary>A reward model as the judge: 1 when the model's response scores above the baseline's, ½ when equal, else 0.</summary>
    public static double ByReward(double model, double baseline) => model > baseline ? 1 : model == baseline ? 0.5 : 0;
}
