using AlignLab.Core.Datasets.Sources;
using static AlignLab.Core.Tests.Datasets.Sources.ConvertedAssert;

namespace AlignLab.Core.Tests.Datasets.Sources;

public class MtBenchFormatTests
{
    /// <summary>Lines in the layout of FastChat's fastchat/llm_judge/data/mt_bench/question.jsonl, then one of Vicuna-Bench's
    /// first release (text instead of turns).</summary>
    internal const string Sample = """
        {"question_id": 81, "category": "writing", "turns": ["Compose an engaging travel blog post about a recent trip to Hawaii, highlighting cultural experiences and must-see attractions.", "Rewrite your previous response. Start every sentence with the letter A."]}
        {"question_id": 111, "category": "math", "turns": ["The vertices of a triangle are at points (0, 0), (-1, 1), and (3, 3). What is the area of the triangle?", "What's area of the circle circumscribing the triangle?"], "reference": ["Area is 3", "5pi"]}

        {"question_id": 1, "text": "How can I improve my time management skills?", "category": "generic"}
        """;

    [Fact]
    public void TheFirstTurnOrTheTextIsThePromptAndTheFirstReferenceTheReference()
    {
        var file = new MtBenchFormat().Convert(Bytes(Sample));
        Assert.Empty(file.Errors);
        Assert.Equal(3, file.Records.Count);
        Generation(file.Records[0], 1,
            "Compose an engaging travel blog post about a recent trip to Hawaii, highlighting cultural experiences and must-see attractions.");
        Generation(file.Records[1], 2, "The vertices of a triangle are at points (0, 0), (-1, 1), and (3, 3). What is the area of the triangle?", "Area is 3");
        Generation(file.Records[2], 4, "How can I improve my time management skills?");
    }

    [Fact]
    public void ALineThatIsNotJsonOrHasNoUsableFirstTurnIsAnErrorForThatLine()
    {
        var text = """
            {"question_id": 81, "category": "writing", "turns": ["Write a poem."]}
            {"question_id": 82, "category": "writing", "turns": ["Unclosed."]
            {"question_id": 83, "category": "writing", "turns": []}
            {"question_id": 84, "category": "writing", "turns": 7}
            {"question_id": 85, "category": "writing"}
            {"question_id": 86, "category": "math", "turns": ["2 + 2?"], "reference": 4}
            [1, 2]
            """;
        var file = new MtBenchFormat().Convert(Bytes(text));
        Assert.Equal(["2 $", "3 turns", "4 turns", "5 turns", "6 reference", "7 $"], Errors(file));
        Assert.StartsWith("not valid JSON", file.Errors[0].Message);
        Assert.Equal(1, Assert.Single(file.Records).Line);
    }
}
