using System.Net;

namespace AlignLab.Client;

/// <summary>The server refused a request: its status, the problem's title and detail, and the errors by field
/// ("parameters.learning_rate", "file", …) when the input was at fault.</summary>
public sealed class AlignLabApiException(HttpStatusCode status, string title, string? detail, IReadOnlyDictionary<string, string[]> errors)
    : Exception(Describe(status, title, detail, errors))
{
    public HttpStatusCode Status { get; } = status;
    public string Title { get; } = title;
    public string? Detail { get; } = detail;
    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;

    private static string Describe(HttpStatusCode status, string title, string? detail, IReadOnlyDictionary<string, string[]> errors) =>
        $"{(int)status} {title}" + (detail is null ? "" : $": {detail}") +
        string.Concat(errors.Select(e => $"\n  {e.Key}: {string.Join("; ", e.Value)}"));
}
