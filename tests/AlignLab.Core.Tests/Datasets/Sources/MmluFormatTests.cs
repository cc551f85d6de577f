using AlignLab.Core.Datasets.Sources;
using static AlignLab.Core.Tests.Datasets.Sources.ConvertedAssert;

namespace AlignLab.Core.Tests.Datasets.Sources;

public class MmluFormatTests
{
    /// <summary>Rows in the layout of hendrycks/test's data/test/abstract_algebra_test.csv: no header, CRLF line ends, and
    /// quotes around a question and options that hold commas.</summary>
    internal const string Sample =
        "Find all c in Z_3 such that Z_3[x]/(x^2 + c) is a field.,0,1,2,3,B\r\n" +
        "\"Statement 1 | If aH is an element of a factor group, then |aH| divides |a|. Statement 2 | If H and K are subgroups of G then HK is a subgroup of G.\",\"True, True\",\"False, False\",\"True, False\",\"False, True\",B\r\n";

    private static readonly string[] Letters = [" A", " B", " C", " D"];

    [Fact]
    public void RowsBecomeLmEvalPromptsWithTheLettersAsChoices()
    {
        var file = new MmluFormat().Convert(Bytes(Sample));
        Assert.Empty(file.Errors);
        Assert.Equal(2, file.Records.Count);
        MultipleChoice(file.Records[0], 1, "Find all c in Z_3 such that Z_3[x]/(x^2 + c) is a field.\nA. 0\nB. 1\nC. 2\nD. 3\nAnswer:", Letters, 1);
        MultipleChoice(file.Records[1], 2,
            "Statement 1 | If aH is an element of a factor group, then |aH| divides |a|. Statement 2 | If H and K are subgroups of G then HK is a subgroup of G." +
            "\nA. True, True\nB. False, False\nC. True, False\nD. False, True\nAnswer:", Letters, 1);
    }

    [Fact]
    public void TheQuestionIsTrimmedAndAQuotedLineBreakKeepsLaterLineNumbersRight()
    {
        var file = new MmluFormat().Convert(Bytes("\" Which of these\nis prime? \",4,6,7,9,C\nWhat is 2 + 2?,3,4,5,6,B\n"));
        Assert.Empty(file.Errors);
        MultipleChoice(file.Records[0], 1, "Which of these\nis prime?\nA. 4\nB. 6\nC. 7\nD. 9\nAnswer:", Letters, 2);
        MultipleChoice(file.Records[1], 3, "What is 2 + 2?\nA. 3\nB. 4\nC. 5\nD. 6\nAnswer:", Letters, 1);
    }

    [Fact]
    public void ABadLetterOrAWrongNumberOfFieldsIsAnErrorForThatRowOnly()
    {
        var text = string.Join('\n',
            "What is 2 + 2?,3,4,5,6,B",
            "What is 3 + 3?,5,6,7,8,E",
            "What is 4 + 4?,7,8,9,b",
            "What is 5 + 5?,\"9, or 10\",10,11,12,13,A",
            "\"Never closed?,1,2,3,4,A");
        var file = new MmluFormat().Convert(Bytes(text));
        Assert.Equal(["2 answer", "3 $", "4 $", "5 $"], Errors(file));
        Assert.Contains("not \"E\"", file.Errors[0].Message);
        Assert.Contains("5 fields, not 6", file.Errors[1].Message);
        Assert.Contains("never closed", file.Errors[3].Message);
        Assert.Equal(1, Assert.Single(file.Records).Line);
    }

    [Fact]
    public void AFileThatIsNotUtf8IsOneErrorForTheFile()
    {
        byte[] content = [.. Bytes("What is 2 + 2?,3,4,5,6,B\nCaf"), 0xE9, .. Bytes(",1,2,3,4,A\n")];
        var file = new MmluFormat().Convert(content);
        var error = Assert.Single(file.Errors);
        Assert.Equal(2, error.Line);
        Assert.Equal("file", error.Field);
        Assert.Empty(file.Records);
    }

    [Fact]
    public void AByteOrderMarkIsNotPartOfTheFirstQuestion()
    {
        byte[] content = [0xEF, 0xBB, 0xBF, .. Bytes("What is 2 + 2?,3,4,5,6,B\n")];
        var record = Assert.Single(new MmluFormat().Convert(content).Records);
        Assert.StartsWith("What is 2 + 2?\n", record.Record["prompt"]!.GetValue<string>());
    }
}
