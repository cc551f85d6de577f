using AlignLab.Core.Text;

namespace AlignLab.Core.Tests.Datasets.Sources;

public class CsvReaderTests
{
    /// <summary>Each row's fields joined by "|", so that rows compare as strings.</summary>
    private static string[] Fields(IReadOnlyList<CsvReader.Row> rows) => [.. rows.Select(r => string.Join('|', r.Fields))];

    [Fact]
    public void QuotedFieldsHoldSeparatorsDoubledQuotesAndLineBreaks()
    {
        var rows = CsvReader.Read("a,\"b, c\",\"say \"\"hi\"\"\"\r\n\"two\r\nlines\",,\"\"\n");
        Assert.Equal(["a|b, c|say \"hi\"", "two\r\nlines||"], Fields(rows));
        Assert.Equal([1, 2], rows.Select(r => r.Line));
        Assert.All(rows, r => Assert.Null(r.Error));
    }

    [Fact]
    public void RowsKeepTheLineTheyStartOnAcrossBlankLinesAndLineBreaksInQuotes()
    {
        var rows = CsvReader.Read("h1,h2\n\n\"x\ny\nz\",1\nlast,2");
        Assert.Equal([1, 3, 6], rows.Select(r => r.Line));
        Assert.Equal("last|2", Fields(rows)[2]);
    }

    [Fact]
    public void AByteOrderMarkIsDroppedAndEmptyTrailingFieldsAreKept()
    {
        var rows = CsvReader.Read("\uFEFF,sent_more\r\n0,a,\r\n1,b,");
        Assert.Equal(["|sent_more", "0|a|", "1|b|"], Fields(rows));
    }

    [Fact]
    public void BrokenQuotingIsReportedOnTheRow()
    {
        var rows = CsvReader.Read("ok,\"fine\"\n\"closed\" late,x\nbare\"quote,y\n\"never closed,z\nmore");
        Assert.Equal([null, "field 1 has text after its closing quote", null, "the quoted field that starts on line 4 is never closed"], rows.Select(r => r.Error));
        Assert.Equal(["ok|fine", "closed late|x", "bare\"quote|y", "never closed,z\nmore"], Fields(rows));
        Assert.Equal(4, rows.Count);
    }

    [Fact]
    public void ATabSeparatorReadsTsv()
    {
        var rows = CsvReader.Read("sentid\tsentence\ntechnician.customer.1.male.txt\tThe technician told the customer that he could pay with cash, he said.\n", '\t');
        Assert.Equal(["sentid|sentence", "technician.customer.1.male.txt|The technician told the customer that he could pay with cash, he said."], Fields(rows));
    }
}
