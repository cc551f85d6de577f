using System.Text;
using AlignLab.Core.Datasets.Sources;

namespace AlignLab.Core.Tests.Datasets.Sources;

/// <summary>Checks a converted record field by field, so that a failure names the field that differs.</summary>
internal static class ConvertedAssert
{
    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    public static void MultipleChoice(ConvertedRecord record, int line, string prompt, string[] choices, int answer, string? group = null)
    {
        Assert.Equal(line, record.Line);
        Assert.Equal(prompt, record.Record["prompt"]!.GetValue<string>());
        Assert.Equal(choices, record.Record["choices"]!.AsArray().Select(c => c!.GetValue<string>()).ToArray());
        Assert.Equal(answer, record.Record["answer"]!.GetValue<int>());
        Assert.Equal(group, record.Record["group"]?.GetValue<string>());
        Assert.Equal(group is null ? 3 : 4, record.Record.Count);
    }

    public static void Generation(ConvertedRecord record, int line, string prompt, string? reference = null)
    {
        Assert.Equal(line, record.Line);
        Assert.Equal(prompt, record.Record["prompt"]!.GetValue<string>());
        Assert.Equal(reference, record.Record["reference"]?.GetValue<string>());
        Assert.Equal(reference is null ? 1 : 2, record.Record.Count);
    }

    /// <summary>Each error as "line field", in the order reported.</summary>
    public static string[] Errors(ConvertedFile file) => [.. file.Errors.Select(e => $"{e.Line} {e.Field}")];
}
