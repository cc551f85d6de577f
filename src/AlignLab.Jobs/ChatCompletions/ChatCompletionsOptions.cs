namespace AlignLab.Jobs.ChatCompletions;

/// <summary>Section AlignLab:Revision: the OpenAI-compatible chat-completions endpoint that SPA construction revises
/// with and that query-type classification asks. (The section kept the name of its first use.)</summary>
public sealed class ChatCompletionsOptions
{
    public const string Section = "AlignLab:Revision";

    /// <summary>Base URL of the API, e.g. https://api.openai.com/v1; requests go to {Endpoint}/chat/completions.</summary>
    public string Endpoint { get; set; } = "";

    /// <summary>Sent as "Authorization: Bearer {ApiKey}" when set. Keep it in an environment variable
    /// (AlignLab__Revision__ApiKey), not in appsettings.json.</summary>
    public string ApiKey { get; set; } = "";

    public string Model { get; set; } = "gpt-3.5-turbo";
    public double Temperature { get; set; }

    /// <summary>Tries per request (the first included) before the request is given up.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>Wait before the second try; doubled each time (with jitter) up to <see cref="MaxBackoffMs"/>. A
    /// Retry-After header from the server takes precedence.</summary>
    public int InitialBackoffMs { get; set; } = 1000;
    public int MaxBackoffMs { get; set; } = 30_000;
    public int TimeoutSeconds { get; set; } = 120;
}
