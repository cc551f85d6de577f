using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AlignLab.Core.Construction;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AlignLab.Jobs.Revision;

/// <summary>Revises an initial response through an OpenAI-compatible chat-completions endpoint with the paper's two
/// steps: ask for the reason (A–D), then send that reason's minimal-edit prompt. Each request is retried with
/// exponential backoff on network errors, timeouts, 408/429/5xx and unusable answers; 4xx client errors fail at once.</summary>
public sealed class ChatCompletionsReviser(IOptions<RevisionOptions> options, ILogger<ChatCompletionsReviser> logger) : IResponseReviser, IDisposable
{
    private readonly RevisionOptions _options = options.Value;
    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    public string? NotConfiguredReason =>
        string.IsNullOrWhiteSpace(_options.Endpoint) ? $"no revision endpoint is configured ({RevisionOptions.Section}:Endpoint); use revision=annotators or configure one"
        : !Uri.TryCreate(_options.Endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") ? $"{RevisionOptions.Section}:Endpoint '{_options.Endpoint}' is not an http(s) URL"
        : null;

    public async Task<Core.Construction.Revision> ReviseAsync(string question, string initial, string reference, CancellationToken cancellationToken)
    {
        var attempts = 0;
        try
        {
            var reason = await WithRetriesAsync(async () =>
            {
                var answer = await CompleteAsync(RevisionPrompts.Classify(question, initial, reference), cancellationToken);
                return RevisionReasons.Parse(answer) ?? throw new RetryableException($"the reason answer '{Shorten(answer)}' names none of A, B, C, D");
            }, () => attempts++, cancellationToken);
            var text = await WithRetriesAsync(async () =>
            {
                var answer = (await CompleteAsync(RevisionPrompts.Revise(reason, question, initial, reference), cancellationToken)).Trim();
                return answer.Length > 0 ? answer : throw new RetryableException("the revision answer is empty");
            }, () => attempts++, cancellationToken);
            return new Core.Construction.Revision(reason, text, attempts);
        }
        catch (RevisionFailedException e)
        {
            // Requests made for both steps together.
            throw new RevisionFailedException(e.Message, attempts, e.InnerException);
        }
    }

    private async Task<T> WithRetriesAsync<T>(Func<Task<T>> request, Action counted, CancellationToken cancellationToken)
    {
        var maxAttempts = Math.Max(1, _options.MaxAttempts);
        for (int attempt = 1; ; attempt++)
        {
            counted();
            TimeSpan? retryAfter = null;
            string error;
            try
            {
                return await request();
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
                throw new RevisionFailedException($"{error} (gave up after {attempt} attempts of this step)", attempt);
            var backoff = retryAfter ?? Backoff(attempt);
            logger.LogWarning("Revision request attempt {Attempt} failed: {Error}; retrying in {Delay} ms", attempt, error, (int)backoff.TotalMilliseconds);
            await Task.Delay(backoff, cancellationToken);
        }
    }

    /// <summary>Exponential backoff with ±20 % jitter: InitialBackoffMs · 2^(attempt−1), capped at MaxBackoffMs.</summary>
    private TimeSpan Backoff(int attempt)
    {
        var baseMs = Math.Min(_options.MaxBackoffMs, _options.InitialBackoffMs * Math.Pow(2, attempt - 1));
        return TimeSpan.FromMilliseconds(baseMs * (0.8 + 0.4 * Random.Shared.NextDouble()));
    }

    private async Task<string> CompleteAsync(string prompt, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(Math.Max(1, _options.TimeoutSeconds)));
        using var request = new HttpRequestMessage(HttpMethod.Post, _options.Endpoint.TrimEnd('/') + "/chat/completions")
        {
            Content = JsonContent.Create(new JsonObject
            {
                ["model"] = _options.Model,
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
            throw new RevisionFailedException(message, 1);
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

    private static string Shorten(string text) => text.Length <= 200 ? text : text[..200] + "…";

    public void Dispose() => _http.Dispose();

    private sealed class RetryableException(string message, TimeSpan? retryAfter = null) : Exception(message)
    {
        public TimeSpan? RetryAfter { get; } = retryAfter;
    }
}
