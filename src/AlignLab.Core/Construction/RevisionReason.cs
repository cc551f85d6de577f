namespace AlignLab.Core.Construction;

/// <summary>Why the initial response is worse than the reference (“Beyond Imitation” appendix B): A inaccurate, B lacks
/// detail or comprehensiveness, C needs structural change, D other (harmful, off-topic).</summary>
public enum RevisionReason { A, B, C, D }

public static class RevisionReasons
{
    /// <summary>The choice in a classifier's answer: "B", "B.", "Answer: C", "**A**"; a lone letter A–D, the first
    /// one found. Null when there is none, or when the answer names several different ones.</summary>
    public static RevisionReason? Parse(string? answer)
    {
        if (string.IsNullOrWhiteSpace(answer)) return null;
        var found = new HashSet<char>();
        for (int i = 0; i < answer.Length; i++)
        {
            var c = answer[i];
            if (c is < 'A' or > 'D') continue;
            var before = i == 0 || !char.IsLetterOrDigit(answer[i - 1]);
            var after = i == answer.Length - 1 || !char.IsLetterOrDigit(answer[i + 1]);
            if (before && after) found.Add(c);
        }
        return found.Count == 1 ? Enum.Parse<RevisionReason>(found.Single().ToString()) : null;
    }
}
