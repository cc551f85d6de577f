using AlignLab.Core.Evaluation;

namespace AlignLab.Core.Tests;

public class MultipleChoiceTests
{
    [Fact]
    public void AccTakesTheHighestSumAndAccNormTheHighestSumPerCharacter()
    {
        // Sums −3 ("ab", 2 characters) and −4 ("abcdef", 6): acc picks 0 (−3 > −4); per character −1.5 and −0.667, so acc_norm picks 1.
        Assert.Equal(0, MultipleChoice.Prediction([-3.0, -4.0]));
        Assert.Equal(1, MultipleChoice.NormalizedPrediction([-3.0, -4.0], ["ab", "abcdef"]));
        // A tie goes to the first choice; equal lengths make both rules agree.
        Assert.Equal(1, MultipleChoice.Prediction([-5.0, -2.0, -2.0]));
        Assert.Equal(2, MultipleChoice.NormalizedPrediction([-6.0, -6.0, -2.0], ["abc", "xyz", "pqr"]));
        Assert.Throws<ArgumentException>(() => MultipleChoice.NormalizedPrediction([-1.0], ["a", "b"]));
    }
}
