using AlignLab.Core.Evaluation;

namespace AlignLab.Core.Tests;

/// <summary>The relevant sentence ratio's prompt and the reading of a judge's sentence-by-sentence answer.</summary>
public class RelevantSentencesTests
{
    [Fact]
    public void TheDefaultPromptIsThePapersWithTheQuestionAndAnswerFilledInOnce()
    {
        Assert.Null(RelevantSentences.Problem(RelevantSentences.DefaultPrompt));
        Assert.Contains("either \"Relevant\" or \"Irrelevant\"", RelevantSentences.DefaultPrompt);
        var rendered = RelevantSentences.Render(RelevantSentences.DefaultPrompt, "Why is the sky blue?", "Rayleigh scattering. {question}");
        Assert.Contains("<Question>\nWhy is the sky blue?\n", rendered);
        Assert.Contains("<The Start of Assistant's Answer>\nRayleigh scattering. {question}\n<The End of Assistant's Answer>", rendered);   // an answer's braces stay
        Assert.Equal("must contain {answer}: where the question and the answer go", RelevantSentences.Problem("{question} only"));
    }

    [Fact]
    public void EachMarkedSentenceIsReadWhateverTheJudgesPunctuationAndTheRestIsIgnored()
    {
        var reply = string.Join('\n',
            "Here is my assessment:",
            "- \"The sky looks blue because of Rayleigh scattering.\" : Relevant",
            "- \"Short wavelengths scatter more: this is the key.\": (Relevant)",
            "2. \"My cat likes the sky too.\" : **Irrelevant**",
            "* 'Sunsets are red for the same reason.' : relevant.",
            "- \"Sentence 1\" : (Relevant|Irrelevant)",
            "Overall the answer is mostly relevant.");
        var sentences = RelevantSentences.Parse(reply);
        Assert.Equal(
            [
                new SentenceVerdict("The sky looks blue because of Rayleigh scattering.", true),
                new SentenceVerdict("Short wavelengths scatter more: this is the key.", true),
                new SentenceVerdict("My cat likes the sky too.", false),
                new SentenceVerdict("Sunsets are red for the same reason.", true),
            ], sentences);
        Assert.Equal(0.75, RelevantSentences.Ratio(sentences));
        Assert.Empty(RelevantSentences.Parse("I cannot judge this."));
        Assert.Null(RelevantSentences.Ratio([]));
    }
}
