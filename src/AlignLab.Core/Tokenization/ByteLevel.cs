using System.Text.RegularExpressions;

namespace AlignLab.Core.Tokenization;

/// <summary>GPT-2's byte-level alphabet: every byte is written as one printable character (bytes that are printable
/// Latin-1 map to themselves, the others to U+0100 onwards), and text is split into words by GPT-2's regex
/// before BPE.</summary>
public static partial class ByteLevel
{
    public static readonly IReadOnlyList<string> ByteToSymbol = BuildAlphabet();

    [GeneratedRegex(@"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+")]
    public static partial Regex PreTokenizer();

    public static string Symbols(string word) =>
        string.Concat(System.Text.Encoding.UTF8.GetBytes(word).Select(b => ByteToSymbol[b]));

    private static string[] BuildAlphabet()
    {
        var printable = Enumerable.Range('!', '~' - '!' + 1)
            .Concat(Enumerable.Range('¡', '¬' - '¡' + 1))
            .Concat(Enumerable.Range('®', 'ÿ' - '®' + 1)).ToHashSet();
        var symbols = new string[256];
        int next = 0;
        for (int b = 0; b < 256; b++)
            symbols[b] = printable.Contains(b) ? ((char)b).ToString() : ((char)(256 + next++)).ToString();
        return symbols;
    }
}
