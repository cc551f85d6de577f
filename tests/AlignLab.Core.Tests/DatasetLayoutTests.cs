using AlignLab.Core.Datasets;

namespace AlignLab.Core.Tests;

/// <summary>Each kind's responses and the pair it contrasts, under its own field names: what the dataset page scores and diffs.</summary>
public class DatasetLayoutTests
{
    [Theory]
    [InlineData(DatasetKinds.Spa, "original_output,revised_output,output", "original_output→revised_output")]
    [InlineData(DatasetKinds.Edits, "original,edited", "original→edited")]
    [InlineData(DatasetKinds.Preference, "rejected,chosen", "rejected→chosen")]
    [InlineData(DatasetKinds.Pool, "output", "")]
    public void ResponsesRunWorstFirstAndTheContrastIsOriginalToItsBetter(string kind, string responses, string contrast)
    {
        var layout = DatasetLayout.For(kind);
        Assert.Equal(responses, string.Join(",", layout.Responses.Select(f => f.Name)));
        Assert.Equal(contrast, layout.Contrast is { } c ? $"{c.From.Name}→{c.To.Name}" : "");
    }

    [Fact]
    public void EachFieldReadsItsPartOfTheRecord()
    {
        var record = new SpaRecord("q", "ctx", "good", "bad", "fixed", "OE");
        var preference = DatasetLayout.Preference.ToFields(record);
        Assert.Equal(("q", "ctx", "good", "bad", "OE"), (preference["prompt"], preference["input"], preference["chosen"], preference["rejected"], preference["query_type"]));
        Assert.Equal("fixed", DatasetLayout.Edits.ToFields(record)["edited"]);
    }
}
