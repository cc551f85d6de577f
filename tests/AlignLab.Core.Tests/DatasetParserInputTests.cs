using System.Text;
using AlignLab.Core.Datasets;
using AlignLab.Core.Text;

namespace AlignLab.Core.Tests;

/// <summary>What a file from an editor or an attacker brings: a byte order mark, NUL characters and lone surrogates,
/// several problems on one line.</summary>
public sealed class DatasetParserInputTests
{
    private const string Record = """{"instruction":"Capital of Japan?","input":"","output":"Tokyo.","original_output":"Rome.","revised_output":"Tokyo."}""";

    [Fact]
    public void AByteOrderMarkBeforeTheFirstRecordIsNotPartOfIt()
    {
        var bytes = Encoding.UTF8.Preamble.ToArray().Concat(Encoding.UTF8.GetBytes(Record + "\n" + Record)).ToArray();
        var result = DatasetParser.Parse(bytes, DatasetLayout.Spa);
        Assert.Empty(result.Errors);
        Assert.Equal(2, result.Records.Count);
        var array = Encoding.UTF8.Preamble.ToArray().Concat(Encoding.UTF8.GetBytes($"[{Record}]")).ToArray();
        Assert.Single(DatasetParser.Parse(array, DatasetLayout.Spa).Records);
    }

    [Fact]
    public void NulCharactersAndLoneSurrogatesAreRefusedByLineAndField()
    {
        var text = Record + "\n" + Record.Replace("Tokyo.\",\"original", "To\\u0000kyo.\",\"original") + "\n" + Record.Replace("Rome.", "Ro\\ud800me.");
        var result = DatasetParser.Parse(Encoding.UTF8.GetBytes(text), DatasetLayout.Spa);
        Assert.Single(result.Records);
        Assert.Equal([(2, "output"), (3, "original_output")], result.Errors.Select(e => (e.Line, e.Field)));
        Assert.Contains("NUL", result.Errors[0].Message);
        Assert.Contains("lone surrogate", result.Errors[1].Message);
    }

    [Fact]
    public void BadLinesAreCountedOncePerLineWhateverTheNumberOfProblems()
    {
        var text = string.Join("\n", """{"instruction":""}""", Record, "not json", """{"output":1,"original_output":2}""");
        var result = DatasetParser.Parse(Encoding.UTF8.GetBytes(text), DatasetLayout.Spa);
        Assert.True(result.Errors.Count > 3);
        Assert.Equal(3, result.BadLines);
    }

    // Facts, not theories: a test runner's serialization of theory data replaces lone surrogates before the test sees them.
    [Fact]
    public void TextRulesNameTheProblemAndWhere()
    {
        Assert.Null(TextRules.Problem("plain text"));
        Assert.Null(TextRules.Problem("emoji 🎉 and 你好"));
        Assert.Contains("NUL character (U+0000) at position 1", TextRules.Problem("a\0b"));
        Assert.Contains("lone surrogate (U+D800) at position 1", TextRules.Problem("a\ud800b"));
        Assert.Contains("lone surrogate (U+DC00) at position 0", TextRules.Problem("\udc00"));
        Assert.Contains("lone surrogate (U+D83C) at position 0", TextRules.Problem("\ud83c"));     // half of an emoji
    }
}
