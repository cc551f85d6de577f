using System.Text.Json;
using System.Text.Json.Nodes;

namespace AlignLab.Web.Api;

/// <summary>Reads a JSON request body; when it is malformed, says where: the JSON path of the innermost
/// value being read (e.g. <c>$.parameters.steps</c>) with line and byte position.</summary>
public static class JsonBody
{
    public const int MaxBytes = 1 << 20;

    /// <summary>The body as JSON; it must say so (Content-Type: application/json), so that a page of another site cannot
    /// send one as a "simple" text/plain request with a signed-in user's cookie.</summary>
    public static async Task<(JsonNode? Node, string? Field, string? Error)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!request.HasJsonContentType())
            return (null, "Content-Type", $"must be application/json, not {(string.IsNullOrEmpty(request.ContentType) ? "absent" : request.ContentType)}");
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken);
        if (buffer.Length > MaxBytes) return (null, "$", $"the body is larger than {MaxBytes} bytes");
        var bytes = buffer.ToArray();
        var error = Locate(bytes);
        if (error is not null) return (null, error.Value.Path, error.Value.Message);
        return (JsonNode.Parse(bytes), null, null);
    }

    private static (string Path, string Message)? Locate(byte[] bytes)
    {
        var path = new List<string>();
        var seen = new Stack<HashSet<string>>();
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        string? pendingProperty = null;
        try
        {
            if (bytes.Length == 0) throw new JsonException("the body is empty");
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        pendingProperty = reader.GetString();
                        if (!seen.Peek().Add(pendingProperty!))
                            throw new JsonException($"the property '{pendingProperty}' appears twice");
                        break;
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        path.Add(pendingProperty ?? "");
                        seen.Push(new HashSet<string>(StringComparer.Ordinal));
                        pendingProperty = null;
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        path.RemoveAt(path.Count - 1);
                        seen.Pop();
                        break;
                    default:
                        pendingProperty = null;
                        break;
                }
            }
            return null;
        }
        catch (JsonException e)
        {
            var segments = path.Skip(1).Where(s => s.Length > 0).Append(pendingProperty ?? "").Where(s => s.Length > 0);
            var field = string.Join('.', new[] { "$" }.Concat(segments));
            var where = bytes.Length == 0 ? "" : $" (line {LineOf(bytes, reader.BytesConsumed)}, byte {reader.BytesConsumed + 1})";
            return (field, $"malformed JSON{where}: {Simplify(e.Message)}");
        }
    }

    private static long LineOf(byte[] bytes, long offset) => 1 + bytes.Take((int)Math.Min(offset, bytes.Length)).Count(b => b == '\n');

    // System.Text.Json's messages end with its own path/position suffix; ours replaces it.
    private static string Simplify(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
