using AlignLab.Core.R3;

namespace AlignLab.Core.Tests;

/// <summary>What R³'s default relevance scorer must get right: a SynRel-style set (an answer about the entity the
/// query asks about against one about another entity), and the reward hacks the paper describes.</summary>
public sealed class R3RelevanceTests
{
    private static readonly string[] Entities =
    [
        "Marie Curie", "Isaac Newton", "Mount Everest", "the Amazon River", "Ada Lovelace", "the Great Wall", "Nikola Tesla", "Lake Baikal",
        "Johann Sebastian Bach", "the Sahara Desert", "Frida Kahlo", "the Eiffel Tower", "Alan Turing", "Mount Kilimanjaro", "Leonardo da Vinci",
        "the Danube", "Rosalind Franklin", "the Colosseum", "Charles Darwin", "the Atacama Desert", "Hypatia", "Machu Picchu", "Galileo Galilei",
        "the Nile", "Emmy Noether", "Angkor Wat", "Ludwig van Beethoven", "the Gobi Desert", "Srinivasa Ramanujan", "Petra",
        "Katherine Johnson", "the Yangtze", "Gregor Mendel", "Uluru", "Wangari Maathai", "the Matterhorn", "Alexander von Humboldt", "Hagia Sophia",
        "Dmitri Mendeleev", "Victoria Falls",
    ];

    private static readonly string[] Facts =
    [
        "Visitors and scholars still study it closely, and many books describe its long influence on science and culture.",
        "It is remembered for remarkable achievements that shaped later generations and inspired countless students.",
        "Its story includes surprising turns, careful observation and a lasting place in museums and classrooms.",
        "People admire its importance, and guides often explain the details during long tours every summer.",
    ];

    private static readonly string[] Questions = ["Tell me about the history of {0}.", "What is special about {0}?", "Give me a short description of {0}."];

    private static string Answer(int entity, int fact) => $"The history of {Entities[entity]} is rich. {Facts[fact % Facts.Length]}";

    [Fact]
    public void TheDefaultScorerPrefersTheAnswerAboutTheQueriedEntity()
    {
        var scorer = new LexicalRelevanceScorer();
        var cases = Entities.SelectMany((_, e) => Questions.Select((q, k) => (Query: string.Format(q, Entities[e]), Relevant: Answer(e, e + k),
            Other: Answer((e + 1 + k * 7) % Entities.Length, e + k)))).ToList();
        var relevant = scorer.Score([.. cases.Select(c => (c.Query, c.Relevant))], RelevanceAnchor.Query);
        var other = scorer.Score([.. cases.Select(c => (c.Query, c.Other))], RelevanceAnchor.Query);
        var preferred = relevant.Zip(other, (r, o) => r > o).Count(x => x) / (double)cases.Count;
        Assert.Equal(120, cases.Count);
        Assert.True(preferred >= 0.95, $"the relevant answer was preferred in {preferred:P1} of the cases");
    }

    [Fact]
    public void CopyingTheQueryOrRepeatingASentenceScoresBelowARelevantAnswerOfSimilarLength()
    {
        const string query = "What are good ways to improve sleep quality at night?";
        const string relevant = "Keep a regular bedtime, avoid caffeine after noon, keep the bedroom dark and cool, and put screens away an hour " +
                                "before bed; regular exercise during the day also improves sleep quality at night.";
        var copy = string.Join(" ", Enumerable.Repeat(query, 3));
        var repeated = string.Join(" ", Enumerable.Repeat("Sleep quality matters a lot at night.", 5));
        int Tokens(string text) => WordPunct.Tokenize(text).Count;
        Assert.InRange(Tokens(copy) / (double)Tokens(relevant), 0.75, 1.25);
        Assert.InRange(Tokens(repeated) / (double)Tokens(relevant), 0.75, 1.25);

        var scores = R3Reward.ScoreAll([.. new[] { relevant, copy, repeated }.Select(r => new R3Item(query, r, "", QueryType.OpenEnded))], new LexicalRelevanceScorer());
        Assert.True(scores[0].Total > scores[1].Total, $"relevant {scores[0].Total} vs copy {scores[1].Total}");
        Assert.True(scores[0].Total > scores[2].Total, $"relevant {scores[0].Total} vs repetition {scores[2].Total}");
        Assert.True(scores[2].RepetitionPenalty < 0.3);
    }
}
