using AlignLab.Core.Tokenization;
using AlignLab.Training.Demo;
using AlignLab.Web.Components.Shared;
using Bunit;

namespace AlignLab.Web.Components.Tests;

/// <summary>The inline diff component with hand-made edits over the demo tokenizer, whose words in these sentences are
/// single tokens: which tokens are struck, added and substituted, and the counts it exposes.</summary>
public sealed class TokenDiffTests : ComponentTestContext
{
    private static readonly Lazy<TextTokenizer> Demo = new(() =>
    {
        var folder = Path.Combine(Directory.CreateTempSubdirectory("alignlab-bunit-").FullName, DemoModel.Name);
        DemoModel.Ensure(folder);
        return TextTokenizer.Load(folder);
    });

    private IRenderedComponent<TokenDiff> Render(string original, string revised) =>
        Render<TokenDiff>(p => p.Add(c => c.Tokenizer, Demo.Value).Add(c => c.Original, original).Add(c => c.Revised, revised));

    [Fact]
    public void ASubstitutedWordShowsAsOldArrowNew()
    {
        // Precondition of the hand count: each word is one token of the demo tokenizer.
        Assert.Single(Demo.Value.Encode(" Rome"));
        Assert.Single(Demo.Value.Encode(" Tokyo"));
        var diff = Render("The capital of Japan is Rome.", "The capital of Japan is Tokyo.");

        var substitution = diff.Find(".diff-sub");
        Assert.Equal(" Rome", substitution.QuerySelector("del")!.TextContent);
        Assert.Equal(" Tokyo", substitution.QuerySelector("ins")!.TextContent);
        Assert.Empty(diff.FindAll("del.diff-del"));
        Assert.Empty(diff.FindAll("ins.diff-ins"));
        Assert.Equal("The capital of Japan is", diff.FindAll(".diff-eq")[0].TextContent);
        Assert.Equal(".", diff.FindAll(".diff-eq")[1].TextContent);
        var root = diff.Find("[data-testid='token-diff']");
        Assert.Equal(("1", "0", "0", "1"), (root.GetAttribute("data-distance"), root.GetAttribute("data-deleted"), root.GetAttribute("data-inserted"), root.GetAttribute("data-substituted")));
    }

    [Fact]
    public void DeletedWordsAreStruckAndAddedWordsMarked()
    {
        var diff = Render("The capital of Japan is Rome and Tokyo.", "The capital of Japan is Tokyo.");
        Assert.Equal(" Rome and", diff.Find("del.diff-del").TextContent);
        Assert.Empty(diff.FindAll("ins.diff-ins"));
        Assert.Equal("2", diff.Find("[data-testid='token-diff']").GetAttribute("data-deleted"));

        var added = Render("The capital of Japan is Tokyo.", "The capital of Japan is Tokyo and Rome.");
        Assert.Equal(" and Rome", added.Find("ins.diff-ins").TextContent);
        Assert.Empty(added.FindAll("del"));
        Assert.Equal("2", added.Find("[data-testid='token-diff']").GetAttribute("data-distance"));
    }

    [Fact]
    public void CountsOfEachKindOfEditAreShownWhenAsked()
    {
        // " Rome and" deleted (2 tokens) and " Tokyo" → " Paris" substituted (1): 3 edits.
        var diff = Render<TokenDiff>(p => p.Add(c => c.Tokenizer, Demo.Value).Add(c => c.Original, "The capital is Rome and Tokyo.")
            .Add(c => c.Revised, "The capital is Paris.").Add(c => c.ShowCounts, true));
        Assert.Equal("3 edits: 2 deleted, 0 added, 1 substituted (tokens)", diff.Find("[data-testid='edit-counts']").TextContent.Trim());
        Assert.Empty(Render("a", "b").FindAll("[data-testid='edit-counts']"));
    }

    [Fact]
    public void IdenticalTextsHaveNoEditsAndAWhitespaceEditIsVisible()
    {
        var same = Render("Paris is in France.", "Paris is in France.");
        Assert.Equal("0", same.Find("[data-testid='token-diff']").GetAttribute("data-distance"));
        Assert.Empty(same.FindAll("del, ins"));
        Assert.Equal("Paris is in France.", same.Find("[data-testid='token-diff']").TextContent.Trim());

        var newline = Render("Paris is in France.", "Paris is in France.\n");
        Assert.Contains("⏎", newline.Find("ins.diff-ins").TextContent);
    }
}
