using System.Text;
using System.Text.RegularExpressions;
using AlignLab.Core.Datasets;
using AlignLab.Core.Datasets.Sources;

namespace AlignLab.Core.Tests.Datasets.Sources;

public class SourceFormatsTests
{
    /// <summary>Each format's sample from its own tests.</summary>
    private static readonly Dictionary<string, string> Samples = new()
    {
        ["mmlu"] = MmluFormatTests.Sample,
        ["truthfulqa-mc1"] = TruthfulQaMc1FormatTests.Sample,
        ["crows-pairs"] = CrowsPairsFormatTests.Sample,
        ["winogender"] = WinogenderFormatTests.Sample,
        ["alpacaeval"] = AlpacaEvalFormatTests.Sample,
        ["mt-bench"] = MtBenchFormatTests.Sample,
    };

    [Fact]
    public void FormatsHaveUniqueUrlSafeNamesEvaluationKindsAndAreFoundByName()
    {
        Assert.Equal(Samples.Keys.Order().ToArray(), SourceFormats.All.Select(f => f.Name).Order().ToArray());
        foreach (var format in SourceFormats.All)
        {
            Assert.Matches(new Regex("^[a-z0-9-]+$"), format.Name);
            Assert.Contains(format.Kind, DatasetKinds.Evaluation);
            Assert.False(string.IsNullOrWhiteSpace(format.Title));
            Assert.False(string.IsNullOrWhiteSpace(format.Description));
            Assert.Same(format, SourceFormats.Find(format.Name.ToUpperInvariant()));
        }
        Assert.Null(SourceFormats.Find("squad"));
    }

    [Fact]
    public void EveryConvertedRecordPassesTheParserForItsKind()
    {
        foreach (var format in SourceFormats.All)
        {
            var converted = format.Convert(Encoding.UTF8.GetBytes(Samples[format.Name]));
            Assert.Empty(converted.Errors);
            Assert.NotEmpty(converted.Records);
            var lines = string.Join('\n', converted.Records.Select(r => r.Record.ToJsonString()));
            var parsed = DatasetParser.Parse(Encoding.UTF8.GetBytes(lines), DatasetLayout.For(format.Kind));
            Assert.Empty(parsed.Errors.Select(e => $"{format.Name}: {e}"));
            Assert.Equal(converted.Records.Count, parsed.Records.Count);
        }
    }

    [Fact]
    public void CrowsPairsRecordsKeepTheirEmptyPromptSoThatWholeSentencesAreScored()
    {
        var converted = new CrowsPairsFormat().Convert(Encoding.UTF8.GetBytes(CrowsPairsFormatTests.Sample));
        var lines = string.Join('\n', converted.Records.Select(r => r.Record.ToJsonString()));
        var parsed = DatasetParser.Parse(Encoding.UTF8.GetBytes(lines), DatasetLayout.MultipleChoice);
        Assert.Empty(parsed.Errors);
        Assert.All(parsed.Records, r => Assert.Equal("", r.Instruction));
        Assert.All(parsed.Records, r => Assert.Equal(0, r.Answer));
        Assert.Equal(["race-color", "socioeconomic"], parsed.Records.Select(r => r.Group));
    }
}
