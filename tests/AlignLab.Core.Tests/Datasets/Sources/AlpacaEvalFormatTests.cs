using AlignLab.Core.Datasets.Sources;
using static AlignLab.Core.Tests.Datasets.Sources.ConvertedAssert;

namespace AlignLab.Core.Tests.Datasets.Sources;

public class AlpacaEvalFormatTests
{
    /// <summary>Items in the layout of AlpacaEval's alpaca_eval.json.</summary>
    internal const string Sample = """
        [
          {
            "instruction": "What are the names of some famous actors that started their careers on Broadway?",
            "output": "Some famous actors that started their careers on Broadway include Hugh Jackman, Meryl Streep, Denzel Washington and Julia Roberts.",
            "generator": "text_davinci_003",
            "dataset": "helpful_base"
          },
          {
            "instruction": "How did US states get their names?\n\nKeep it short.",
            "output": "US states get their names from a variety of sources, including Native American tribes, Spanish and English explorers, and important historical figures.",
            "generator": "text_davinci_003",
            "dataset": "helpful_base"
          }
        ]
        """;

    [Fact]
    public void TheInstructionIsThePromptAndTheBaselineOutputTheReference()
    {
        var file = new AlpacaEvalFormat().Convert(Bytes(Sample));
        Assert.Empty(file.Errors);
        Assert.Equal(2, file.Records.Count);
        Generation(file.Records[0], 1, "What are the names of some famous actors that started their careers on Broadway?",
            "Some famous actors that started their careers on Broadway include Hugh Jackman, Meryl Streep, Denzel Washington and Julia Roberts.");
        Generation(file.Records[1], 2, "How did US states get their names?\n\nKeep it short.",
            "US states get their names from a variety of sources, including Native American tribes, Spanish and English explorers, and important historical figures.");
    }

    [Fact]
    public void AnItemWithoutAnInstructionIsAnErrorAndOneWithoutAnOutputHasNoReference()
    {
        var text = """
            [
              {"instruction": "Write a haiku about autumn.", "generator": "gpt4_turbo", "dataset": "oasst"},
              {"output": "An answer to nothing.", "generator": "gpt4_turbo", "dataset": "oasst"},
              {"instruction": 42, "output": "Forty-two.", "generator": "gpt4_turbo", "dataset": "oasst"},
              {"instruction": "Name a prime.", "output": ["2"], "generator": "gpt4_turbo", "dataset": "oasst"},
              "Write a haiku."
            ]
            """;
        var file = new AlpacaEvalFormat().Convert(Bytes(text));
        Assert.Equal(["2 instruction", "3 instruction", "4 output", "5 $"], Errors(file));
        Assert.Equal("missing", file.Errors[0].Message);
        Assert.Equal("must be a string, not the number 42", file.Errors[1].Message);
        Generation(Assert.Single(file.Records), 1, "Write a haiku about autumn.");
    }

    [Fact]
    public void AnArrayThatIsNotJsonIsOneErrorForTheFileAtItsLine()
    {
        var file = new AlpacaEvalFormat().Convert(Bytes("[\n  {\"instruction\": \"a\", \"output\": \"b\"},\n  {\"instruction\": \"c\" \"output\": \"d\"}\n]\n"));
        var error = Assert.Single(file.Errors);
        Assert.Equal(3, error.Line);
        Assert.Equal("file", error.Field);
        Assert.Empty(file.Records);
    }
}
