using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace AlignLab.Testing;

/// <summary>A thin typed client of the REST API for tests, authenticated by an API key when given one.</summary>
public sealed class AlignLabApi : IDisposable
{
    public AlignLabApi(string baseAddress, string? apiKey)
    {
        Http = new HttpClient { BaseAddress = new Uri(baseAddress) };
        if (apiKey is not null) Http.DefaultRequestHeaders.Authorization = new("Bearer", apiKey);
    }

    /// <summary>A client of <paramref name="web"/> acting as its admin.</summary>
    public static async Task<AlignLabApi> ForAsync(AppProcess web) => new(await web.ListeningAddress, web.Admin.ApiKey);

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public HttpClient Http { get; }

    public async Task<JsonObject> CreateRunAsync(object request)
    {
        var response = await Http.PostAsJsonAsync("/api/runs", request, Json);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new HttpRequestException($"POST /api/runs: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!.AsObject();
    }

    public async Task<JsonObject> GetRunAsync(Guid id) =>
        JsonNode.Parse(await Http.GetStringAsync($"/api/runs/{id}"))!.AsObject();

    public async Task<string> StatusAsync(Guid id) => (await GetRunAsync(id))["status"]!.GetValue<string>();

    public async Task<JsonArray> MetricsAsync(Guid id, long? afterStep = null) =>
        JsonNode.Parse(await Http.GetStringAsync($"/api/runs/{id}/metrics" + (afterStep is { } s ? $"?afterStep={s}" : "")))!.AsArray();

    public async Task<long> RunCountAsync() =>
        JsonNode.Parse(await Http.GetStringAsync("/api/runs?pageSize=1"))!["total"]!.GetValue<long>();

    /// <summary>Polls until the run reaches <paramref name="status"/>; fails fast if it ends otherwise.</summary>
    public Task<string> WaitForStatusAsync(Guid id, string status, TimeSpan timeout) =>
        Eventually.GetAsync(() => StatusAsync(id), s => s == status || (IsTerminal(s) && s != status
            ? throw new InvalidOperationException($"run {id} ended {s}, expected {status}") : false), timeout, $"run {id} to be {status}");

    /// <summary>Asks to cancel the run and waits until it is Cancelled (so that it holds no job-server worker any more).</summary>
    public async Task CancelAsync(Guid id, TimeSpan timeout)
    {
        await Http.PostAsync($"/api/runs/{id}/cancel", null);
        await WaitForStatusAsync(id, "Cancelled", timeout);
    }

    private static bool IsTerminal(string status) => status is "Succeeded" or "Failed" or "Cancelled";

    public void Dispose() => Http.Dispose();
}
