using AlignLab.Core.Construction;

namespace AlignLab.Core.Tests;

public class ConstructionTests
{
    [Theory]
    [InlineData("A", RevisionReason.A)]
    [InlineData("B.", RevisionReason.B)]
    [InlineData("Answer: C", RevisionReason.C)]
    [InlineData("**D**", RevisionReason.D)]
    [InlineData(" b ", null)]                      // lower case is not a choice
    [InlineData("Both A and B", null)]             // two different choices
    [InlineData("A. Needs more accurate content (A)", RevisionReason.A)]
    [InlineData("Because of Accuracy", null)]      // a capital inside a word is not a choice
    [InlineData("", null)]
    public void ParsesTheChosenReason(string answer, RevisionReason? expected) => Assert.Equal(expected, RevisionReasons.Parse(answer));

    [Theory]
    [InlineData(0.5, 3.5, false)]    // gap 3.0 ≤ η3 = 3.5
    [InlineData(-0.6, 3.5, true)]    // 3.5 − (−0.6) = 4.1 > 3.5, R_Ŷ < 1, R_Y > 3
    [InlineData(1.0, 9.0, false)]    // R_Ŷ = η1 is not below it
    [InlineData(-2.0, 3.0, false)]   // R_Y = η2 is not above it
    [InlineData(-0.5, 3.0001, true)]
    public void ThePapersThresholdsAreStrict(double rolloutReward, double outputReward, bool kept) =>
        Assert.Equal(kept, new RewardThresholds().Keeps(rolloutReward, outputReward));

    [Fact]
    public void AHistogramCountsEqualWidthBinsWithTheMaximumInTheLastBin()
    {
        // Range [−1, 3] in 4 bins of width 1: [−1,0) [0,1) [1,2) [2,3].
        var histogram = RewardHistogram.Build([-1, -0.5, 0, 0.99, 1, 2.5, 3], bins: 4);
        Assert.Equal((-1.0, 3.0, 1.0), (histogram.Min, histogram.Max, histogram.BinWidth));
        Assert.Equal([2, 2, 1, 2], histogram.Counts);
    }

    [Fact]
    public void AHistogramOfOneValueCentresIt()
    {
        var histogram = RewardHistogram.Build([2, 2], bins: 2);
        Assert.Equal((1.5, 2.5), (histogram.Min, histogram.Max));
        Assert.Equal([0, 2], histogram.Counts);
        Assert.Equal([0, 0, 0], RewardHistogram.Build([], bins: 3).Counts);
    }

    [Fact]
    public void PromptsCarryTheQuestionBothResponsesAndTheReasonSpecificInstruction()
    {
        var question = RevisionPrompts.Question("Translate.", "Bonjour");
        Assert.Equal("Translate.\nBonjour", question);
        var classify = RevisionPrompts.Classify(question, "Hi", "Hello");
        Assert.StartsWith("Question: Translate.\nBonjour\nResponse 1: Hi\nResponse 2: Hello\n", classify);
        Assert.Contains("A. Needs more accurate content, B. Needs more comprehensive content or more details, C. Requires adjustments in structure, D. Other reasons", classify);
        Assert.Contains("incorporate the comprehensive topic or the details from Response 2", RevisionPrompts.Revise(RevisionReason.B, question, "Hi", "Hello"));
        Assert.Contains("Use the structure of Response 2 to rephrase Response 1", RevisionPrompts.Revise(RevisionReason.C, question, "Hi", "Hello"));
        Assert.Contains("harmful or off-topic", RevisionPrompts.Revise(RevisionReason.D, question, "Hi", "Hello"));
        Assert.Equal(4, Enum.GetValues<RevisionReason>().Select(r => RevisionPrompts.Revise(r, question, "Hi", "Hello")).Distinct().Count());
    }
}
