using AlignLab.Core.R3;

namespace AlignLab.Core.Tests;

/// <summary>R³'s components against hand-computed values (“Preference-free Alignment Learning with Regularized Relevance Reward”; docs/methods.md, R³ PPO).</summary>
public sealed class R3RewardTests
{
    [Theory]
    [InlineData("Hello, world!! It's 3.5", new[] { "Hello", ",", "world", "!!", "It", "'", "s", "3", ".", "5" })]
    [InlineData("Café naïve — 東京!", new[] { "Café", "naïve", "—", "東京", "!" })]
    [InlineData("e\u0301t\u00e9", new[] { "e", "\u0301", "t\u00e9" })]       // a combining accent is not a word character, as in Python
    [InlineData("snake_case x2", new[] { "snake_case", "x2" })]
    [InlineData("", new string[0])]
    [InlineData(" \n\t ", new string[0])]
    public void WordPunctSplitsAsNltkDoes(string text, string[] tokens) => Assert.Equal(tokens, WordPunct.Tokenize(text));

    [Theory]
    [InlineData("Hello, world!! It's 3.5", 0.10)]
    [InlineData("", 0.0)]
    [InlineData("東京", 0.01)]
    public void TheLengthIncentiveIsTokensOverAHundred(string text, double li) => Assert.Equal(li, R3Reward.LengthIncentive(WordPunct.Tokenize(text)), 12);

    [Theory]
    [InlineData("the cat sat the cat sat", 0.75)]    // trigrams: (the cat sat) twice, (cat sat the), (sat the cat): 3 unique of 4
    [InlineData("a a a a", 0.5)]                    // (a a a) twice
    [InlineData("one two three four", 1.0)]
    [InlineData("a b", 1.0)]                        // fewer than three tokens
    [InlineData("", 1.0)]
    public void TheRepetitionPenaltyIsUniqueTrigramsOverTrigrams(string text, double rp) => Assert.Equal(rp, R3Reward.RepetitionPenalty(WordPunct.Tokenize(text)), 12);

    [Theory]
    [InlineData("Paris.\nUSER: And Spain?", "Paris.")]
    [InlineData("  A\n\n--B ASSISTANT: C", "A")]               // the earliest cut wins
    [InlineData("x\n\n\n\ny", "x")]
    [InlineData("x\n\n____y", "x")]
    [InlineData("ASSISTANT: hi", "")]
    [InlineData("no markers here \n", "no markers here")]
    [InlineData("a\n\nb", "a\n\nb")]                          // two newlines alone are not a separator
    public void CleanUpCutsAtTheFirstRoleMarkerOrSeparator(string response, string cleaned) => Assert.Equal(cleaned, ResponseCleanup.Clean(response));

    [Fact]
    public void CleanUpCutsAtTheRunsTemplateMarkersAlpacasOrAChatTemplates()
    {
        // Alpaca's markers: a response that runs on into a new instruction is cut there; USER: is no marker of Alpaca's.
        var alpaca = AlignLab.Core.Tokenization.PromptTemplate.Alpaca.RoleMarkers;
        Assert.Equal("Paris.", ResponseCleanup.Clean("Paris.\n\n### Instruction:\nAnd Rome?", alpaca));
        Assert.Equal("Paris. USER: hi", ResponseCleanup.Clean("Paris. USER: hi", alpaca));
        Assert.Equal("Paris.", ResponseCleanup.Clean("Paris.\n\n--\nNotes", alpaca));                 // the authors' separators too

        // A ChatML template: its turn boundaries, read from a rendered user–assistant–user conversation.
        var chatMl = AlignLab.Core.ChatTemplates.ChatTemplate.Parse(
            "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}");
        var markers = AlignLab.Core.Tokenization.PromptTemplate.RoleMarkersOf(chatMl);
        Assert.Equal(["<|im_end|>", "<|im_start|>assistant", "<|im_start|>user"], markers);
        Assert.Equal("Paris is the capital.", ResponseCleanup.Clean("Paris is the capital.<|im_end|>\n<|im_start|>user\nAnd Rome?", markers));
        Assert.Equal("Paris. ASSISTANT: yes", ResponseCleanup.Clean("Paris. ASSISTANT: yes", markers));
    }

    [Theory]
    [InlineData(1.75, 3.5, 512, 2.56)]
    [InlineData(3.5, 3.5, 512, 5.12)]
    [InlineData(-1, 3.5, 512, -5.12 / 3.5)]    // the authors' line, unclamped: np.interp would give 0
    [InlineData(5, 3.5, 512, 5 * 5.12 / 3.5)]    // above 3.5 the line goes on (7.31…); np.interp would give 5.12
    [InlineData(0.7, 1.0, 300, 2.1)]
    public void TheClosedEndedInterpolationMapsTheRangeOntoMaxLengthOverAHundred(double relevance, double range, int maxLength, double expected) =>
        Assert.Equal(expected, R3Reward.Interpolate(relevance, range, maxLength), 12);

    [Fact]
    public void TheBranchesAndAblationsCombineTheComponentsAsDefined()
    {
        // "Paris is nice." → [Paris, is, nice, .]: LI 0.04, RP 1.
        Assert.Equal(new R3Score(2, 0.04, 1, QueryType.OpenEnded, 2 * 0.04), Round(R3Reward.Score("Paris is nice.", QueryType.OpenEnded, 2, 3.5, 512, R3Ablation.None)));
        Assert.Equal(2.56, R3Reward.Score("Paris is nice.", QueryType.ClosedEnded, 1.75, 3.5, 512, R3Ablation.None).Total, 12);
        // "no no no no": LI 0.04, RP 0.5.
        Assert.Equal(1 * 0.04 * 0.5, R3Reward.Score("no no no no", QueryType.OpenEnded, 1, 3.5, 512, R3Ablation.None).Total, 12);
        Assert.Equal(0.04, R3Reward.Score("no no no no", QueryType.OpenEnded, 1, 3.5, 512, R3Ablation.NoRepetitionPenalty).Total, 12);
        Assert.Equal(0.04, R3Reward.Score("no no no no", QueryType.ClosedEnded, 3, 3.5, 512, R3Ablation.LengthOnly).Total, 12);
        Assert.Equal(0.02, R3Reward.Score("no no no no", QueryType.ClosedEnded, 3, 3.5, 512, R3Ablation.NoRelevance).Total, 12);
        Assert.Equal(5.12 * 0.5, R3Reward.Score("no no no no", QueryType.ClosedEnded, 3.5, 3.5, 512, R3Ablation.None).Total, 12);
        Assert.Equal(QueryType.OpenEnded, R3Reward.Branch(QueryType.ClosedEnded, R3Ablation.NoClosedEndedBranch));
        Assert.Equal(QueryType.ClosedEnded, R3Reward.Branch(QueryType.ClosedEnded, R3Ablation.RandomQueryType));
        // An empty response earns nothing on the OE branch; on the CE branch it earns only what its relevance gives.
        Assert.Equal(0, R3Reward.Score("", QueryType.OpenEnded, 3, 3.5, 512, R3Ablation.None).Total);
        Assert.Equal(0, R3Reward.Score("", QueryType.ClosedEnded, 0, 3.5, 512, R3Ablation.None).Total);
    }

    private static R3Score Round(R3Score s) => s with { LengthIncentive = Math.Round(s.LengthIncentive, 12), Total = Math.Round(s.Total, 12) };

    private sealed class RecordingScorer : IRelevanceScorer
    {
        public List<(RelevanceAnchor Anchor, (string, string)[] Pairs)> Calls { get; } = [];
        public string Name => "recording";
        public double ClosedEndedRange => 2;

        public IReadOnlyList<double> Score(IReadOnlyList<(string Anchor, string Text)> pairs, RelevanceAnchor anchor)
        {
            Calls.Add((anchor, [.. pairs]));
            return [.. pairs.Select(_ => 1.0)];
        }
    }

    [Fact]
    public void ScoringCleansFirstAndMeasuresOeAgainstTheQueryAndCeAgainstTheReference()
    {
        var scorer = new RecordingScorer();
        var scores = R3Reward.ScoreAll(
        [
            new R3Item("Q1", "Answer one.\nUSER: more", "R1", QueryType.OpenEnded),
            new R3Item("Q2", "  Two ", "R2", QueryType.ClosedEnded),
        ], scorer);
        Assert.Equal([(RelevanceAnchor.Query, new[] { ("Q1", "Answer one.") }), (RelevanceAnchor.Reference, new[] { ("R2", "Two") })],
            scorer.Calls.Select(c => (c.Anchor, c.Pairs)));
        Assert.Equal(1 * 0.03 * 1, scores[0].Total, 12);          // [Answer, one, .]
        Assert.Equal(1.0 / 2 * 5.12 * 1, scores[1].Total, 12);   // interp(1, [0, 2] → [0, 5.12])

        // Relevance on the raw response, as the authors' reward_model.py measures it; LI and RP still on the cleaned text.
        var raw = new RecordingScorer();
        var rawScores = R3Reward.ScoreAll([new R3Item("Q1", "Answer one.\nUSER: more", "R1", QueryType.OpenEnded)], raw, relevanceText: RelevanceText.Raw);
        Assert.Equal(("Q1", "Answer one.\nUSER: more"), Assert.Single(Assert.Single(raw.Calls).Pairs));
        Assert.Equal(1 * 0.03 * 1, rawScores[0].Total, 12);

        var ablated = new RecordingScorer();
        R3Reward.ScoreAll([new R3Item("Q2", "Two", "R2", QueryType.ClosedEnded)], ablated, ablation: R3Ablation.NoClosedEndedBranch);
        Assert.Equal(RelevanceAnchor.Query, Assert.Single(ablated.Calls).Anchor);
    }

    [Fact]
    public void TheLexicalScorerIsTheCosineOfContentWordsDiscountedForWordsCopiedFromTheQuery()
    {
        var scorer = new LexicalRelevanceScorer();
        // Query content words {capital, france}; answer {capital, france, paris}: cosine 2 / (√2·√3); novelty 1/3 against a query.
        var pair = new[] { ("What is the capital of France?", "The capital of France is Paris.") };
        Assert.Equal(2 / (Math.Sqrt(2) * Math.Sqrt(3)) / 3, scorer.Score(pair, RelevanceAnchor.Query)[0], 12);
        Assert.Equal(2 / (Math.Sqrt(2) * Math.Sqrt(3)), scorer.Score(pair, RelevanceAnchor.Reference)[0], 12);
        Assert.Equal(0, scorer.Score([("What is the capital of France?", "what is THE capital of france")], RelevanceAnchor.Query)[0]);
        Assert.Equal(1, scorer.Score([("Paris, France.", "paris france")], RelevanceAnchor.Reference)[0], 12);
        Assert.Equal(0, scorer.Score([("What is the capital of France?", "")], RelevanceAnchor.Reference)[0]);
    }

    [Theory]
    [InlineData("OE", QueryType.OpenEnded)]
    [InlineData(" closed-ended ", QueryType.ClosedEnded)]
    [InlineData("OPEN_ENDED", QueryType.OpenEnded)]
    [InlineData("CE", QueryType.ClosedEnded)]
    [InlineData("maybe", null)]
    [InlineData(null, null)]
    public void QueryTypeLabelsAreRead(string? label, QueryType? type) => Assert.Equal(type, QueryTypes.Parse(label));
}
