namespace AlignLab.Core.Export;

/// <summary>One CSV cell, safe to open in a spreadsheet: quoted when it holds a separator, quote or line break (RFC 4180),
/// and neutralised when it would start a formula. A cell beginning with = + - @, a tab or a carriage return gets a leading
/// apostrophe, as OWASP's CSV-injection guidance recommends, so "=HYPERLINK(…)" in a run's name shows as text.</summary>
public static class CsvField
{
    private static readonly char[] FormulaStarts = ['=', '+', '-', '@', '\t', '\r'];
    private static readonly char[] NeedsQuotes = [',', '"', '\n', '\r'];

    public static string Escape(string value)
    {
        if (value.Length > 0 && FormulaStarts.Contains(value[0])) value = "'" + value;
        return value.IndexOfAny(NeedsQuotes) < 0 ? value : "\"" + value.Replace("\"", "\"\"") + "\"";
    }
}
