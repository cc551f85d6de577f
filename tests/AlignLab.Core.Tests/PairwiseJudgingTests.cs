using AlignLab.Core.Evaluation;

namespace AlignLab.Core.Tests;

public class PairwiseJudgingTests
{
    [Theory]
    // Model as (a), then as (b): a win counts 1, a tie ½, a loss 0, and the item is the mean of its two orders.
    [InlineData(Verdict.A, Verdict.B, 1.0)]       // the model both times
    [InlineData(Verdict.B, Verdict.A, 0.0)]       // the baseline both times
    [InlineData(Verdict.A, Verdict.A, 0.5)]       // position (a) both times: the bias cancels
    [InlineData(Verdict.Tie, Verdict.Tie, 0.5)]
    [InlineData(Verdict.A, Verdict.Tie, 0.75)]
    [InlineData(Verdict.Tie, Verdict.A, 0.25)]
    public void AnItemScoresTheMeanOfItsTwoOrders(Verdict modelAsA, Verdict modelAsB, double score) =>
        Assert.Equal(score, WinRate.Score(modelAsA, modelAsB));

    [Fact]
    public void TheVerdictIsTheLastLineAndTheReasoningWhatComesBefore()
    {
        Assert.Equal(new JudgeAnswer(Verdict.B, "(a) is wrong.\nSo:"), PairwiseJudgePrompt.Parse("(a) is wrong.\nSo:\n**Output (b)**\n\n"));
        Assert.Equal(Verdict.Tie, PairwiseJudgePrompt.Parse("tie.")!.Verdict);
        Assert.Null(PairwiseJudgePrompt.Parse("Output (a) is better, I think"));
        Assert.Null(PairwiseJudgePrompt.Parse("  \n "));
    }

    [Fact]
    public void RenderingFillsEachPlaceholderOnceAndLeavesPlaceholdersInsideTheOutputsAlone()
    {
        Assert.Equal("Q: say {output_b} | A: {output_b} | B: b",
            PairwiseJudgePrompt.Render("Q: {instruction} | A: {output_a} | B: {output_b}", "say {output_b}", "{output_b}", "b"));
        Assert.Null(PairwiseJudgePrompt.Problem(PairwiseJudgePrompt.Default));
        Assert.Equal("must contain {output_a}: where the instruction and the two outputs go", PairwiseJudgePrompt.Problem("{instruction} {output_b}"));
        Assert.Equal((1.0, 0.5, 0.0), (WinRate.ByReward(2, 1), WinRate.ByReward(1, 1), WinRate.ByReward(0, 1)));
    }
}
