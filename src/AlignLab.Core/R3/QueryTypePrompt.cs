namespace AlignLab.Core.R3;

/// <summary>“Preference-free Alignment Learning with Regularized Relevance Reward”'s query-type classification prompt (appendix B, Figure 5), and reading its answer.</summary>
public static class QueryTypePrompt
{
    /// <summary>The answers the prompt asks for, as a local model would continue it.</summary>
    public const string OpenEndedAnswer = "OPEN-ENDED";
    public const string ClosedEndedAnswer = "CLOSED-ENDED";

    /// <summary>The conversation the prompt shows: the query as a single user turn (input on the line below).</summary>
    public static string Conversation(string instruction, string input) =>
        "USER: " + (string.IsNullOrWhiteSpace(input) ? instruction : $"{instruction}\n{input}");

    public static string Render(string conversation) =>
        $"""
        Could you identify whether the last user query of the below conversation is open-ended or not?
        Open-ended means that the responses to the query can be relatively anything and creative.
        However, its counterparts, i.e., 'closed-ended query', indicate the corresponding responses should be consistent and constrained as a closed form.
        Please just answer it either "{OpenEndedAnswer}" or "{ClosedEndedAnswer}".
        CONVERSATION:
        {conversation}
        """;

    /// <summary>The type an answer names: OPEN-ENDED or CLOSED-ENDED anywhere in it (any case, hyphen, space or
    /// underscore), or a bare OE / CE / open / closed. Null when it names neither, or both.</summary>
    public static QueryType? Parse(string? answer)
    {
        if (string.IsNullOrWhiteSpace(answer)) return null;
        var normal = answer.ToUpperInvariant().Replace('_', '-').Replace("OPEN ENDED", "OPEN-ENDED").Replace("CLOSED ENDED", "CLOSED-ENDED");
        bool open = normal.Contains(OpenEndedAnswer, StringComparison.Ordinal), closed = normal.Contains(ClosedEndedAnswer, StringComparison.Ordinal);
        if (open != closed) return open ? QueryType.OpenEnded : QueryType.ClosedEnded;
        return open ? null : QueryTypes.Parse(answer.Trim().Trim('"', '\'', '.', '*', '`'));
    }
}
