using System.Text;
using AlignLab.Core.Datasets;

namespace AlignLab.Core.Tests;

public class SpaParserTests
{
    private const string Good = """{"instruction":"Name a fruit.","input":"","output":"An apple.","original_output":"A carrot.","revised_output":"An apple."}""";

    private static SpaParser.Result Parse(string text) => SpaParser.Parse(Encoding.UTF8.GetBytes(text));

    [Fact]
    public void JsonLinesAndJsonArraysGiveTheSameRecords()
    {
        var lines = Parse($"{Good}\n\n{Good.Replace("carrot", "stone")}\n");
        var array = Parse($"[{Good},\n {Good.Replace("carrot", "stone")}]");
        Assert.Empty(lines.Errors);
        Assert.Equal(2, lines.Records.Count);
        Assert.Equal(lines.Records, array.Records);
        Assert.Equal(new SpaRecord("Name a fruit.", "", "An apple.", "A stone.", "An apple."), lines.Records[1]);
    }

    [Fact]
    public void AMissingInputIsEmptyButOtherFieldsAreRequired()
    {
        var result = Parse("""{"instruction":"i","output":"o","original_output":"a","revised_output":"b"}""");
        Assert.Equal("", Assert.Single(result.Records).Input);
    }

    [Fact]
    public void EveryBadRecordIsReportedWithItsLineAndField()
    {
        var text = string.Join('\n',
            Good,
            """{"instruction":"i","output":"o","revised_output":"b"}""",
            """{"instruction":"i","output":7,"original_output":"a","revised_output":"  "}""",
            "{not json",
            "[1,2]",
            Good);
        var result = Parse(text);

        Assert.Equal(2, result.Records.Count);
        Assert.Equal(
            ["line 2, original_output: missing", "line 3, output: must be a string, not number", "line 3, revised_output: empty",
             "line 5, $: a record must be a JSON object"],
            result.Errors.Where(e => e.Line != 4).Select(e => e.ToString()));
        Assert.Contains(result.Errors, e => e is { Line: 4, Field: "$" } && e.Message.StartsWith("not valid JSON"));
    }

    [Fact]
    public void AMalformedArrayIsReportedAtItsLine()
    {
        var result = Parse($"[\n{Good},\n{{\"instruction\": }}\n]");
        var error = Assert.Single(result.Errors);
        Assert.Equal(3, error.Line);
        Assert.Empty(result.Records);
    }

    [Fact]
    public void StatisticsFollowThePapersTableOne()
    {
        int[] Words(string s) => s.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(w => w.GetHashCode()).ToArray();
        var records = new[]
        {
            // Ŷ→Ỹ: 1 substitution; Ŷ→Y: 1 substitution + 1 insertion.
            new SpaRecord("q", "", "the red big apple", "the green apple", "the red apple"),
            // Ŷ→Ỹ: 0; Ŷ→Y: 1 deletion.
            new SpaRecord("q", "", "yes", "yes indeed", "yes indeed"),
        };
        var stats = SpaStatistics.Compute(records, Words);
        Assert.Equal(2, stats.Count);
        Assert.Equal((4 + 1) / 2.0, stats.MeanOutputTokens);
        Assert.Equal((3 + 2) / 2.0, stats.MeanOriginalTokens);
        Assert.Equal((3 + 2) / 2.0, stats.MeanRevisedTokens);
        Assert.Equal((1 + 0) / 2.0, stats.MeanEditOpsOriginalToRevised);
        Assert.Equal((2 + 1) / 2.0, stats.MeanEditOpsOriginalToOutput);
    }
}
