namespace AlignLab.Core.Text;

/// <summary>What every text that reaches PostgreSQL or a tokenizer must satisfy: PostgreSQL's text type cannot hold NUL
/// (U+0000), and a lone UTF-16 surrogate is not a character at all (it cannot be encoded as UTF-8).</summary>
public static class TextRules
{
    /// <summary>Why <paramref name="text"/> cannot be stored, or null when it can.</summary>
    public static string? Problem(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0') return $"contains a NUL character (U+0000) at position {i}";
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) { i++; continue; }
            if (char.IsSurrogate(c)) return $"contains a lone surrogate (U+{(int)c:X4}) at position {i}, which is not a character";
        }
        return null;
    }
}
