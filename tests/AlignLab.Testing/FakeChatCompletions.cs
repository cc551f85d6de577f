using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace AlignLab.Testing;

/// <summary>An OpenAI-compatible chat-completions endpoint on loopback, served by the test itself: every request's
/// prompt is recorded and the reply comes from <see cref="Respond"/> (status code, content, optional Retry-After).</summary>
public sealed class FakeChatCompletions : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;

    public sealed record Reply(int Status, string Content, int? RetryAfterSeconds = null);

    public FakeChatCompletions(Func<string, int, Reply> respond)
    {
        Respond = respond;
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        BaseAddress = $"http://127.0.0.1:{port}/v1";
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    /// <summary>Base URL to configure (requests go to {BaseAddress}/chat/completions).</summary>
    public string BaseAddress { get; }

    /// <summary>(prompt, how many times this exact prompt was asked before) → reply.</summary>
    public Func<string, int, Reply> Respond { get; set; }

    /// <summary>Every request's prompt, path and Authorization header, in arrival order.</summary>
    public ConcurrentQueue<(string Path, string Prompt, string? Authorization, string Model)> Requests { get; } = new();

    private readonly ConcurrentDictionary<string, int> _seen = new();

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception) { return; }
            _ = Task.Run(async () =>
            {
                using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
                var body = JsonNode.Parse(await reader.ReadToEndAsync())!;
                var prompt = body["messages"]![0]!["content"]!.GetValue<string>();
                Requests.Enqueue((context.Request.Url!.AbsolutePath, prompt, context.Request.Headers["Authorization"], body["model"]!.GetValue<string>()));
                var count = _seen.AddOrUpdate(prompt, 0, (_, n) => n + 1);
                var reply = Respond(prompt, count);
                context.Response.StatusCode = reply.Status;
                if (reply.RetryAfterSeconds is { } seconds) context.Response.Headers["Retry-After"] = seconds.ToString();
                var json = reply.Status == 200
                    ? new JsonObject { ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = reply.Content } }) }.ToJsonString()
                    : new JsonObject { ["error"] = new JsonObject { ["message"] = reply.Content } }.ToJsonString();
                var bytes = Encoding.UTF8.GetBytes(json);
                context.Response.ContentType = "application/json";
                await context.Response.OutputStream.WriteAsync(bytes);
                context.Response.Close();
            });
        }
    }

    /// <summary>Response 2 of a revision prompt: the reference Y.</summary>
    public static string Reference(string prompt)
    {
        var start = prompt.IndexOf("\nResponse 2: ", StringComparison.Ordinal) + "\nResponse 2: ".Length;
        return prompt[start..prompt.IndexOf('\n', start)];
    }

    public static bool IsClassification(string prompt) => prompt.Contains("Do not include analysis", StringComparison.Ordinal);

    public void Dispose()
    {
        // Close alone: it stops the listener too. After Stop, the managed HttpListener's Close binds the port again to
        // remove its prefix, and fails with "address already in use" when another test has taken that port meanwhile.
        _listener.Close();
        try { _loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
    }
}
