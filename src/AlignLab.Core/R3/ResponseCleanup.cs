namespace AlignLab.Core.R3;

/// <summary>R³'s clean-up before a response is scored (“Preference-free Alignment Learning with Regularized Relevance Reward”, as the authors' implementation does it): the response
/// is cut at the first of the prompt template's role markers or the authors' separators, where a model starts writing the
/// next turn, and trimmed.</summary>
public static class ResponseCleanup
{
    /// <summary>The authors' separators (reward_model.py), cut at whatever the template.</summary>
    public static readonly IReadOnlyList<string> Separators = ["\n\n\n\n", "\n\n--", "\n\n____"];

    /// <summary>The USER:/ASSISTANT: markers of the chat template, for a response whose template is not known.</summary>
    public static readonly IReadOnlyList<string> DefaultMarkers = ["USER:", "ASSISTANT:"];

    public static string Clean(string response) => Clean(response, DefaultMarkers);

    /// <summary>The response cut at the first of <paramref name="roleMarkers"/> or <see cref="Separators"/>, and trimmed.</summary>
    public static string Clean(string response, IReadOnlyList<string> roleMarkers)
    {
        var end = response.Length;
        foreach (var cut in roleMarkers.Concat(Separators))
        {
            var at = response.IndexOf(cut, StringComparison.Ordinal);
            if (at >= 0 && at < end) end = at;
        }
        return response[..end].Trim();
    }
}
