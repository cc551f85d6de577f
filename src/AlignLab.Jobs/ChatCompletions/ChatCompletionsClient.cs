using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AlignLab.Jobs.ChatCompletions;

/// <summary>Asks an OpenAI-compatible chat-completions endpoint one-message questions. Each question is retried with
/// exponential backoff on network errors, timeouts, 408/409/425/429/5xx and answers the caller cannot use; other 4xx
/// answers fail at once. Gives up with <see cref="ChatCompletionFailedException"/>.</summary>
public sealed class ChatCompletionsClient(IOptions<ChatCompletionsOptions> options, ILogger<ChatCompletionsClient> logger) : IDisposable
{
    private readonly ChatCompletionsOptions _options = options.Value;
    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    /// <summary>Null when an endpoint is configured; otherwise what is wrong, naming the setting.</summary>
    public string? NotConfiguredReason =>
        string.IsNullOrWhiteSpace(_options.Endpoint) ? $"no chat-completions endpoint is configured ({ChatCompletionsOptions.Section}:Endpoint)"
        : !Uri.TryCreate(_options.Endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") ? $"{ChatCompletionsOptions.Section}:Endpoint '{_options.Endpoint}' is not an http(s) URL"
        : null;

    /// <summary>The configured model, used when a question names none.</summary>
    public string DefaultModel => _options.Model;

    /// <summary>Sends <paramref name="prompt"/> until an answer passes <paramref name="refuse"/> (which returns null
    /// for a usable answer, or why it is not) or the attempts run out. <paramref name="attempted"/> is called once per
    /// request sent.</summary>
    public async Task<string> AskAsync(string prompt, Func<string, string?> refuse, Action attempted, CancellationToken cancellationToken,
        string? model = null)
    {
        var maxAttempts = Math.Max(1, _options.MaxAttempts);
        for (int attempt = 1; ; attempt++)
        {
            attempted();
            TimeSpan? retryAfter = null;
            string error;
            try
            {
                var answer = await CompleteAsync(prompt, model ?? _options.Model, cancellationToken);
                if (refuse(answer) is not { } why) return answer;
                error = why;
            }
            catch (RetryableException e)
            {
                error = e.Message;
                retryAfter = e.RetryAfter;
            }
            catch (HttpRequestException e)
            {
                error = $"request failed: {e.Message}";
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                error = $"no answer within {_options.TimeoutSeconds} s";
            }
            if (attempt >= maxAttempts)
                throw new ChatCompletionFailedException($"{error} (gave up after {attempt} attempts)", attempt);
            var backoff = retryAfter ?? Backoff(attempt);
            logger.LogWarning("Chat-completions attempt {Attempt} failed: {Error}; retrying in {Delay} ms", attempt, error, (int)backoff.TotalMilliseconds);
            await Task.Delay(backoff, cancellationToken);
        }
    }

    /// <summary>Exponential backoff with ±20 % jitter: InitialBackoffMs · 2^(attempt−1), capped at MaxBackoffMs.</summary>
    private TimeSpan Backoff(int attempt)
    {
        var baseMs = Math.Min(_options.MaxBackoffMs, _options.InitialBackoffMs * Math.Pow(2, attempt - 1));
        return TimeSpan.FromMilliseconds(baseMs * (0.8 + 0.4 * Random.Shared.NextDouble()));
    }

    private async Task<string> CompleteAsync(string prompt, string model, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(Math.Max(1, _options.TimeoutSeconds)));
        using var request = new HttpRequestMessage(HttpMethod.Post, _options.Endpoint.TrimEnd('/') + "/chat/completions")
        {
            Content = JsonContent.Create(new JsonObject
            {
                ["model"] = model,
                ["temperature"] = _options.Temperature,
                ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = prompt }),
            }),
        };
        if (!string.IsNullOrEmpty(_options.ApiKey)) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _options.ApiKey);
        using var response = await _http.SendAsync(request, timeout.Token);
        var body = await response.Content.ReadAsStringAsync(timeout.Token);
        if (!response.IsSuccessStatusCode)
        {
            var message = $"endpoint answered {(int)response.StatusCode} {response.ReasonPhrase}: {Shorten(body)}";
            var status = (int)response.StatusCode;
            if (status is 408 or 409 or 425 or 429 || status >= 500)
                throw new RetryableException(message, RetryAfter(response));
            throw new ChatCompletionFailedException(message, 1);
        }
        try
        {
            var content = JsonNode.Parse(body)?["choices"]?[0]?["message"]?["content"]?.GetValue<string>();
            return content ?? throw new RetryableException($"the answer has no choices[0].message.content: {Shorten(body)}");
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException)
        {
            throw new RetryableException($"the answer is not chat-completions JSON: {Shorten(body)}");
        }
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response) =>
        response.Headers.RetryAfter is { } header
            ? header.Delta ?? (header.Date is { } date ? date - DateTimeOffset.UtcNow : null)
            : null;

    public static string Shorten(string text) => text.Length <= 200 ? text : text[..200] + "…";

    public void Dispose() => _http.Dispose();

    private sealed class RetryableException(string message, TimeSpan? retryAfter = null) : Exception(message)
    {
        public TimeSpan? RetryAfter { get; } = retryAfter;
    }
}

/// <summary>A question the endpoint did not answer usably within the attempts allowed.</summary>
public sealed class ChatCompletionFailedException(string message, int attempts) : Exception(message)
{
    /// <summary>Requests sent for the question.</summary>
    public int Attempts { get; } = attempts;
}
