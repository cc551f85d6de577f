using System.Text;
using AlignLab.Core.Datasets;

namespace AlignLab.Core.Tests;

public class DatasetParserTests
{
    private const string Good = """{"instruction":"Name a fruit.","input":"","output":"An apple.","original_output":"A carrot.","revised_output":"An apple."}""";

    private static DatasetParser.Result Parse(string text, DatasetLayout? layout = null) => DatasetParser.Parse(Encoding.UTF8.GetBytes(text), layout ?? DatasetLayout.Spa);

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

    [Fact]
    public void MinimalEditsAndPreferencePairsUseTheirOwnFieldNamesAndMapOntoTheStoredRecord()
    {
        var edits = Parse("""{"prompt":"Capital of Japan?","original":"It is Rome.","edited":"It is Tokyo."}""", DatasetLayout.Edits);
        var edit = Assert.Single(edits.Records);
        Assert.Equal(new SpaRecord("Capital of Japan?", "", "", "It is Rome.", "It is Tokyo."), edit);
        Assert.Equal(new Dictionary<string, object> { ["prompt"] = "Capital of Japan?", ["input"] = "", ["original"] = "It is Rome.", ["edited"] = "It is Tokyo.", ["query_type"] = "" },
            DatasetLayout.Edits.ToFields(edit));

        var preference = Parse("""{"prompt":"Capital of Japan?","input":"ctx","chosen":"Tokyo.","rejected":"Rome."}""", DatasetLayout.Preference);
        Assert.Equal(new SpaRecord("Capital of Japan?", "ctx", "Tokyo.", "Rome.", ""), Assert.Single(preference.Records));

        // The SPA field names mean nothing to a preference file: its own fields are missing.
        var wrong = Parse(Good, DatasetLayout.Preference);
        Assert.Equal(["line 1, prompt: missing", "line 1, chosen: missing", "line 1, rejected: missing"], wrong.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void KindsAreMatchedToWhatAMethodNeeds()
    {
        Assert.Equal([DatasetKinds.Spa, DatasetKinds.Edits], DatasetLayout.KindsWith(RecordPart.Original, RecordPart.Revised));
        Assert.Equal([DatasetKinds.Spa, DatasetKinds.Preference], DatasetLayout.KindsWith(RecordPart.Output, RecordPart.Original));
        var stored = new StoredDataset(Guid.Empty, DatasetKinds.Preference, []);
        var error = Assert.Throws<ArgumentException>(() => stored.Require(RecordPart.Original, RecordPart.Revised));
        Assert.Contains("preference dataset (prompt, input, chosen, rejected, query_type), which has no minimally edited responses", error.Message);
        Assert.EndsWith("one of the kinds spa, edits", error.Message);
    }

    [Fact]
    public void PairStatisticsCountTokensAndEditDistance()
    {
        int[] Words(string s) => s.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(w => w.GetHashCode()).ToArray();
        // rejected → chosen: "the green apple" → "the red big apple" is 1 substitution + 1 insertion; "no" → "yes" 1 substitution.
        var records = new[] { new SpaRecord("q", "", "the red big apple", "the green apple", ""), new SpaRecord("q", "", "yes", "no", "") };
        var stats = System.Text.Json.JsonSerializer.SerializeToElement(DatasetStatistics.Compute(DatasetLayout.Preference, records, Words));
        Assert.Equal(2, stats.GetProperty("count").GetInt32());
        Assert.Equal((4 + 1) / 2.0, stats.GetProperty("meanChosenTokens").GetDouble());
        Assert.Equal((3 + 1) / 2.0, stats.GetProperty("meanRejectedTokens").GetDouble());
        Assert.Equal((2 + 1) / 2.0, stats.GetProperty("meanEditOps").GetDouble());
    }

    [Fact]
    public void QueryTypesAreReadAsOeOrCeAndAnythingElseIsAnError()
    {
        var result = Parse(string.Join('\n',
            """{"instruction":"Write a poem.","output":"Roses…","query_type":"open-ended"}""",
            """{"instruction":"Capital of Peru?","output":"Lima.","query_type":"CE"}""",
            """{"instruction":"Hi?","output":"Hello.","query_type":"maybe"}""",
            """{"instruction":"Hi?","output":"Hello."}"""), DatasetLayout.Pool);
        Assert.Equal(["OE", "CE", ""], result.Records.Select(r => r.QueryType));
        Assert.Equal(["line 3, query_type: must be OE or CE (open- or closed-ended)"], result.Errors.Select(e => e.ToString()));
    }
    [Fact]
    public void AMultipleChoiceItemKeepsItsChoicesAnswerAndGroupAndAGenerationPromptItsReference()
    {
        var items = Parse("""{"prompt":"Capital of Peru?","choices":["Lima","Quito","Oslo"],"answer":0,"group":"geo"}""", DatasetLayout.MultipleChoice);
        var item = Assert.Single(items.Records);
        Assert.Equal(("Capital of Peru?", 0, "geo"), (item.Instruction, item.Answer!.Value, item.Group));
        Assert.Equal(["Lima", "Quito", "Oslo"], item.Choices!);
        var fields = DatasetLayout.MultipleChoice.ToFields(item);
        Assert.Equal(["Lima", "Quito", "Oslo"], (IReadOnlyList<string>)fields["choices"]);
        Assert.Equal(0, fields["answer"]);

        var prompts = Parse("""{"prompt":"Name a colour.","reference":"Blue."}""" + "\n" + """{"prompt":"Say hi.","query_type":"oe"}""", DatasetLayout.Generation);
        Assert.Equal([new SpaRecord("Name a colour.", "", "Blue.", "", ""), new SpaRecord("Say hi.", "", "", "", "", "OE")], prompts.Records);
    }

    [Fact]
    public void MultipleChoiceItemsWithAnAnswerOutOfRangeEmptyChoicesOrNoPromptAreRefusedWithLineAndField()
    {
        var lines = string.Join("\n",
            """{"prompt":"Q1","choices":["a","b"],"answer":2}""",
            """{"prompt":"Q2","choices":[],"answer":0}""",
            """{"choices":["a","b"],"answer":1}""",
            """{"prompt":"Q4","choices":["a"],"answer":0}""",
            """{"prompt":"Q5","choices":["a",""],"answer":-1}""",
            """{"prompt":"Q6","choices":"a, b","answer":"1"}""",
            """{"prompt":"Q7","choices":["a",3],"answer":1.5}""",
            """{"prompt":"Q8","choices":["a","b"],"answer":1}""");
        var result = Parse(lines, DatasetLayout.MultipleChoice);
        Assert.Equal("Q8", Assert.Single(result.Records).Instruction);
        Assert.Equal(
        [
            (1, "answer", "2 is out of range: the index of one of the 2 choices, from 0 to 1"),
            (2, "choices", "empty: a multiple-choice item needs at least two choices"),
            (3, "prompt", "missing"),
            (4, "choices", "has one choice: a multiple-choice item needs at least two"),
            (5, "choices", "choice 1 is empty"),
            (6, "choices", "must be a list of strings, not a string"),
            (6, "answer", "must be a whole number (the index of the right choice, from 0), not a string"),
            (7, "choices", "choice 1 must be a string, not the number 3"),
            (7, "answer", "must be a whole number (the index of the right choice, from 0), not the number 1.5"),
        ], result.Errors.Select(e => (e.Line, e.Field, e.Message)));
    }
}
