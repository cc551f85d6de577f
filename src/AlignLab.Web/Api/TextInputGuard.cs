using System.Text.Json;
using AlignLab.Core.Text;

namespace AlignLab.Web.Api;

/// <summary>The shared input layer for text: every string a request brings to <c>/api</c> (query parameters, route
/// values, and every string and property name of a JSON body, however deep) must be text PostgreSQL can store and a
/// tokenizer can encode (<see cref="TextRules"/>: no NUL, no lone surrogate). A request that breaks it is refused here,
/// before any endpoint binds or stores anything, with a 400 naming each field (<c>parameters.model</c>,
/// <c>messages[0].content</c>). It runs after authentication and authorization, so a caller without the right learns
/// nothing from it. Malformed JSON is left to the endpoint, which names it. A file upload's body is the file: the import
/// checks each record and reports it by line (skipping it on request), so such endpoints mark themselves with
/// <see cref="FileBody"/> and only their query and route are checked here.</summary>
public sealed class TextInputGuard(RequestDelegate next)
{
    /// <summary>Endpoint metadata: the body is an uploaded file whose records the endpoint checks itself.</summary>
    public sealed class FileBody;

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (!request.Path.StartsWithSegments("/api"))
        {
            await next(context);
            return;
        }
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var (name, values) in request.Query)
            foreach (var value in values)
                if (value is not null && TextRules.Problem(value) is { } problem) errors[name] = [problem];
        foreach (var (name, value) in request.RouteValues)
            if (value is string text && TextRules.Problem(text) is { } problem) errors[name] = [problem];
        if (errors.Count == 0 && request.ContentType is { } type && type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)
            && context.GetEndpoint()?.Metadata.GetMetadata<FileBody>() is null)
        {
            request.EnableBuffering();
            try
            {
                using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: context.RequestAborted);
                Check(document.RootElement, "", errors);
            }
            catch (JsonException) { }
            request.Body.Position = 0;
        }
        if (errors.Count > 0)
        {
            await TypedResults.ValidationProblem(errors, title: "The request holds text that cannot be stored").ExecuteAsync(context);
            return;
        }
        await next(context);
    }

    private static void Check(JsonElement element, string path, Dictionary<string, string[]> errors)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    string name;
                    try { name = property.Name; }
                    catch (InvalidOperationException) { errors[path.Length == 0 ? "$" : path] = [LoneSurrogate + " in a property name"]; continue; }
                    var child = path.Length == 0 ? name : $"{path}.{name}";
                    if (TextRules.Problem(name) is { } problem) errors[child] = [$"the property name {problem}"];
                    else Check(property.Value, child, errors);
                }
                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray()) Check(item, $"{path}[{index++}]", errors);
                break;
            case JsonValueKind.String:
                string? text;
                try { text = element.GetString(); }
                catch (InvalidOperationException) { errors[path.Length == 0 ? "$" : path] = [LoneSurrogate]; break; }
                if (text is not null && TextRules.Problem(text) is { } textProblem) errors[path.Length == 0 ? "$" : path] = [textProblem];
                break;
        }
    }

    private const string LoneSurrogate = "contains a lone surrogate, which is not a character";
}
