using AlignLab.Core.R3;

namespace AlignLab.Core.Tests;

/// <summary>“Preference-free Alignment Learning with Regularized Relevance Reward”'s query-type prompt, reading answers to it, and agreement with labels against hand counts.</summary>
public sealed class QueryTypeClassificationTests
{
    [Theory]
    [InlineData("OPEN-ENDED", QueryType.OpenEnded)]
    [InlineData("closed-ended", QueryType.ClosedEnded)]
    [InlineData("The query is CLOSED ENDED.", QueryType.ClosedEnded)]
    [InlineData("\"OPEN_ENDED\"", QueryType.OpenEnded)]
    [InlineData("**CE**", QueryType.ClosedEnded)]
    [InlineData("Open.", QueryType.OpenEnded)]
    public void AnswersNamingOneTypeAreRead(string answer, QueryType expected) => Assert.Equal(expected, QueryTypePrompt.Parse(answer));

    [Theory]
    [InlineData("")]
    [InlineData("It depends on the context.")]
    [InlineData("Not OPEN-ENDED but CLOSED-ENDED")]     // both: ambiguous, asked again
    [InlineData("openly")]
    public void AnswersNamingNeitherOrBothAreRefused(string answer) => Assert.Null(QueryTypePrompt.Parse(answer));

    [Fact]
    public void ThePromptIsThePapersWithTheQueryAsTheLastUserTurn()
    {
        Assert.Equal("USER: Summarise this\nThe text.", QueryTypePrompt.Conversation("Summarise this", "The text."));
        Assert.Equal("USER: Hi", QueryTypePrompt.Conversation("Hi", " "));
        var prompt = QueryTypePrompt.Render("USER: How many movies are in the Fast and Furious franchise?");
        Assert.StartsWith("Could you identify whether the last user query of the below conversation is open-ended or not?\n", prompt);
        Assert.EndsWith("CONVERSATION:\nUSER: How many movies are in the Fast and Furious franchise?", prompt);
    }

    [Fact]
    public void AgreementAndKappaFollowTheConfusionMatrix()
    {
        const QueryType O = QueryType.OpenEnded, C = QueryType.ClosedEnded;
        // Ten labelled records: OE→OE 4, OE→CE 1, CE→OE 2, CE→CE 3; one unlabelled; one the classifier gave up on.
        QueryType?[] labels = [O, O, O, O, O, C, C, C, C, C, null, O];
        QueryType?[] predicted = [O, O, O, O, C, O, O, C, C, C, C, null];
        var a = QueryTypeAgreement.Build(labels, predicted);

        Assert.Equal((12, 6, 5, 1, 10), (a.Records, a.OpenEnded, a.ClosedEnded, a.Unclassified, a.Labelled));
        Assert.Equal((4, 1, 2, 3), (a.Confusion["OE"]["OE"], a.Confusion["OE"]["CE"], a.Confusion["CE"]["OE"], a.Confusion["CE"]["CE"]));
        Assert.Equal(0.7, a.Agreement!.Value, 12);
        // Chance: labels 5/10 OE, predictions 6/10 OE → 0.5·0.6 + 0.5·0.4 = 0.5; κ = (0.7 − 0.5) / (1 − 0.5) = 0.4.
        Assert.Equal(0.4, a.Kappa!.Value, 12);
    }

    [Fact]
    public void WithoutLabelsThereIsNoAgreementAndPerfectAgreementOnOneTypeIsKappaOne()
    {
        var unlabelled = QueryTypeAgreement.Build([null, null], [QueryType.OpenEnded, QueryType.ClosedEnded]);
        Assert.Equal((0, (double?)null, (double?)null), (unlabelled.Labelled, unlabelled.Agreement, unlabelled.Kappa));
        var allSame = QueryTypeAgreement.Build([QueryType.ClosedEnded, QueryType.ClosedEnded], [QueryType.ClosedEnded, QueryType.ClosedEnded]);
        Assert.Equal((1.0, 1.0), (allSame.Agreement!.Value, allSame.Kappa!.Value));
        Assert.Throws<ArgumentException>(() => QueryTypeAgreement.Build([null], []));
    }
}
