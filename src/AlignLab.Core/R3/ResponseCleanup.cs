namespace AlignLab.Core.R3;

/// <summary>R³'s clean-up before a response is scored (“Preference-free Alignment Learning with Regularized Relevance Reward”, as the authors' implementation does it): the response
/// is cut at the first role marker or separator, where a model starts writing the next turn, and trimmed.</summary>
public static class ResponseCleanup
{
    public static readonly IReadOnlyList<string> Cuts = ["USER:", "ASSISTANT:", "\n\n\n\n", "\n\n--", "\n\n____"];

    public static string Clean(string response)
    {
        var end = response.Length;
        foreach (var cut in Cuts)
        {
            var at = response.IndexOf(cut, StringComparison.Ordinal);
            if (at >= 0 && at < end) end = at;
        }
        return response[..end].Trim();
    }
}
