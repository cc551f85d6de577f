using AlignLab.Core.Export;

namespace AlignLab.Core.Tests.Export;

public sealed class CsvFieldTests
{
    [Theory]
    [InlineData("loss", "loss")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"")]
    [InlineData("+1", "'+1")]
    [InlineData("-2+3", "'-2+3")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\tx", "'\tx")]
    [InlineData("\rx", "\"'\rx\"")]
    [InlineData("a=b", "a=b")]
    [InlineData("", "")]
    public void CellsAreQuotedAndFormulasNeutralised(string value, string expected) => Assert.Equal(expected, CsvField.Escape(value));
}
