using System.Text.RegularExpressions;

namespace AlignLab.Core.R3;

/// <summary>NLTK's wordpunct_tokenize, the tokens R³'s length incentive and repetition penalty count: runs of word
/// characters, and runs of other non-space characters (regex <c>\w+|[^\w\s]+</c>). Python's <c>\w</c> on text is a
/// letter, a number or an underscore; .NET's also takes combining marks, so the classes are spelled out here to
/// split text the way the authors' implementation did.</summary>
public static partial class WordPunct
{
    [GeneratedRegex(@"[\p{L}\p{N}_]+|[^\p{L}\p{N}_\s]+")]
    private static partial Regex Token();

    public static IReadOnlyList<string> Tokenize(string text) => [.. Token().Matches(text).Select(m => m.Value)];
}
