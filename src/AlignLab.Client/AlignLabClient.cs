using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace AlignLab.Client;

/// <summary>A typed client of one AlignLab server, acting with one API key (make one on the server's /account page).
/// Every refusal raises <see cref="AlignLabApiException"/> with the server's reasons by field.</summary>
/// <example>
/// <code>
/// await using var alignlab = new AlignLabClient(new Uri("http://127.0.0.1:5000"), Environment.GetEnvironmentVariable("ALIGNLAB_KEY")!);
/// var upload = await alignlab.UploadDatasetAsync("spa", File.OpenRead("spa.jsonl"), "my-spa");
/// var run = await alignlab.CreateRunAsync(new RunRequest("figa", new Dictionary&lt;string, object?&gt; { ["dataset"] = upload.Dataset.Id }));
/// await foreach (var e in alignlab.WatchAsync(run.Id)) if (e is MetricsEvent m) Console.WriteLine(m.Points[^1]);
/// await alignlab.DownloadFolderAsync(run.Id, "export", "./model");
/// </code>
/// </example>
public sealed class AlignLabClient : IAsyncDisposable, IDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private readonly HttpClient _http;
    private readonly string _apiKey;

    public AlignLabClient(Uri server, string apiKey, HttpMessageHandler? handler = null)
    {
        Server = server;
        _apiKey = apiKey;
        _http = handler is null ? new HttpClient() : new HttpClient(handler);
        _http.BaseAddress = server;
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        _http.Timeout = TimeSpan.FromMinutes(30); // large downloads and uploads
    }

    public Uri Server { get; }

    /// <summary>Uploads a dataset file (JSON Lines or a JSON array) of a kind: spa, pool, edits or preference.</summary>
    public async Task<DatasetUpload> UploadDatasetAsync(string kind, Stream file, string name, string? model = null, bool skipBadLines = false,
        CancellationToken cancellationToken = default)
    {
        var query = $"name={Uri.EscapeDataString(name)}" + (model is null ? "" : $"&model={Uri.EscapeDataString(model)}") + (skipBadLines ? "&skipBadLines=true" : "");
        using var content = new StreamContent(file);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
        using var response = await _http.PostAsync($"/api/datasets/{Uri.EscapeDataString(kind)}?{query}", content, cancellationToken);
        return await ReadAsync<DatasetUpload>(response, cancellationToken);
    }

    public async Task<Dataset> GetDatasetAsync(Guid id, CancellationToken cancellationToken = default) =>
        await GetAsync<Dataset>($"/api/datasets/{id}", cancellationToken);

    /// <summary>Validates and queues a run; an invalid spec raises with the errors by field.</summary>
    public async Task<Run> CreateRunAsync(RunRequest request, CancellationToken cancellationToken = default)
    {
        var body = new JsonObject { ["method"] = request.Method };
        if (request.Name is not null) body["name"] = request.Name;
        if (request.Queue is not null) body["queue"] = request.Queue;
        if (request.Parameters is not null) body["parameters"] = JsonSerializer.SerializeToNode(request.Parameters, Json);
        using var response = await _http.PostAsJsonAsync("/api/runs", body, Json, cancellationToken);
        return await ReadAsync<Run>(response, cancellationToken);
    }

    public Task<Run> GetRunAsync(Guid id, CancellationToken cancellationToken = default) => GetAsync<Run>($"/api/runs/{id}", cancellationToken);

    public Task<RunPage> ListRunsAsync(string? status = null, string? method = null, int page = 0, int pageSize = 25,
        CancellationToken cancellationToken = default) =>
        GetAsync<RunPage>($"/api/runs?page={page}&pageSize={pageSize}" + (status is null ? "" : $"&status={status}") + (method is null ? "" : $"&method={Uri.EscapeDataString(method)}"),
            cancellationToken);

    /// <summary>Metric points by step, all or only after <paramref name="afterStep"/>.</summary>
    public Task<IReadOnlyList<MetricPoint>> GetMetricsAsync(Guid id, long? afterStep = null, CancellationToken cancellationToken = default) =>
        GetAsync<IReadOnlyList<MetricPoint>>($"/api/runs/{id}/metrics" + (afterStep is { } s ? $"?afterStep={s}" : ""), cancellationToken);

    public async Task<Run> CancelRunAsync(Guid id, CancellationToken cancellationToken = default)
    {
        using var response = await _http.PostAsync($"/api/runs/{id}/cancel", null, cancellationToken);
        return await ReadAsync<Run>(response, cancellationToken);
    }

    public Task<IReadOnlyList<ArtifactFile>> ListArtifactsAsync(Guid id, CancellationToken cancellationToken = default) =>
        GetAsync<IReadOnlyList<ArtifactFile>>($"/api/runs/{id}/artifacts", cancellationToken);

    /// <summary>Writes one artifact (a path inside the run's folder, e.g. "export/config.json") to <paramref name="destination"/>.</summary>
    public async Task DownloadArtifactAsync(Guid id, string path, Stream destination, CancellationToken cancellationToken = default)
    {
        var escaped = string.Join('/', path.Split('/').Select(Uri.EscapeDataString));
        using var response = await _http.GetAsync($"/api/runs/{id}/artifacts/{escaped}", HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        await response.Content.CopyToAsync(destination, cancellationToken);
    }

    /// <summary>Downloads every file of a run's artifact folder <paramref name="folder"/> (e.g. "export": the trained
    /// model in Hugging Face layout) into <paramref name="directory"/>; returns the files written.</summary>
    public async Task<IReadOnlyList<string>> DownloadFolderAsync(Guid id, string folder, string directory, CancellationToken cancellationToken = default)
    {
        var prefix = folder.TrimEnd('/') + "/";
        var files = (await ListArtifactsAsync(id, cancellationToken)).Where(f => f.Path.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        if (files.Count == 0) throw new InvalidOperationException($"run {id} has no files under {folder}/");
        var root = Path.GetFullPath(directory) + Path.DirectorySeparatorChar;
        var written = new List<string>();
        foreach (var file in files)
        {
            var target = Path.GetFullPath(Path.Combine(root, file.Path[prefix.Length..]));
            if (!target.StartsWith(root, StringComparison.Ordinal)) throw new InvalidDataException($"the server listed a path outside the folder: {file.Path}");
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            await using (var output = File.Create(target)) await DownloadArtifactAsync(id, file.Path, output, cancellationToken);
            written.Add(target);
        }
        return written;
    }

    /// <summary>A run's events from now until it finishes: the points stored so far first, then every new point and
    /// status as the run hub sends them (WebSockets, with this client's key), ending after the final status.</summary>
    public async IAsyncEnumerable<RunEvent> WatchAsync(Guid id, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var events = Channel.CreateUnbounded<RunEvent>();
        await using var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(Server, "/hubs/runs"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(_apiKey))
            .AddJsonProtocol(o => o.PayloadSerializerOptions = Json)
            .WithAutomaticReconnect()
            .Build();
        hub.On<Guid, MetricPoint[]>("metrics", (run, points) => events.Writer.TryWrite(new MetricsEvent(run, points)));
        hub.On<StatusEvent>("status", status => events.Writer.TryWrite(status));
        hub.Reconnected += _ => hub.InvokeAsync("Subscribe", id, cancellationToken);
        await hub.StartAsync(cancellationToken);
        await hub.InvokeAsync("Subscribe", id, cancellationToken);

        // Subscribed first, then the run, then what was stored: nothing falls between. A run already finished has
        // stored all its points (they are written before its final status); one still going sends the rest over the
        // hub, where a point read here too is dropped.
        var run = await GetRunAsync(id, cancellationToken);
        var seen = new HashSet<(string, long)>();
        var stored = await GetMetricsAsync(id, cancellationToken: cancellationToken);
        if (stored.Count > 0)
        {
            foreach (var p in stored) seen.Add((p.Name, p.Step));
            yield return new MetricsEvent(id, stored);
        }
        if (run.IsFinished)
        {
            yield return new StatusEvent(id, run.Status, run.Step, run.TotalSteps, run.Error);
            yield break;
        }

        await foreach (var e in events.Reader.ReadAllAsync(cancellationToken))
        {
            if (e.RunId != id) continue;
            if (e is MetricsEvent metrics)
            {
                var fresh = metrics.Points.Where(p => seen.Add((p.Name, p.Step))).ToList();
                if (fresh.Count > 0) yield return metrics with { Points = fresh };
            }
            else if (e is StatusEvent status)
            {
                yield return status;
                if (status.IsFinished) yield break;
            }
        }
    }

    private async Task<T> GetAsync<T>(string path, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(path, cancellationToken);
        return await ReadAsync<T>(response, cancellationToken);
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await EnsureSuccessAsync(response, cancellationToken);
        return await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken)
               ?? throw new InvalidDataException($"{response.RequestMessage?.RequestUri}: empty response");
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode) return;
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        string title = response.ReasonPhrase ?? "request failed";
        string? detail = null;
        var errors = new Dictionary<string, string[]>();
        try
        {
            if (JsonNode.Parse(body) is JsonObject problem)
            {
                title = problem["title"]?.GetValue<string>() ?? title;
                detail = problem["detail"]?.GetValue<string>();
                if (problem["errors"] is JsonObject fields)
                    foreach (var (field, messages) in fields)
                        errors[field] = messages is JsonArray list ? [.. list.Select(m => m?.GetValue<string>() ?? "")] : [messages?.ToString() ?? ""];
            }
        }
        catch (JsonException) { detail = body.Length > 500 ? body[..500] : body; }
        throw new AlignLabApiException(response.StatusCode, title, detail, errors);
    }

    public void Dispose() => _http.Dispose();

    public ValueTask DisposeAsync()
    {
        _http.Dispose();
        return ValueTask.CompletedTask;
    }
}
