using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AlignLab.Testing;
using Dapper;
using Npgsql;

namespace AlignLab.Web.Tests;

/// <summary>Submission knows the devices of the live job servers of each queue (worker_devices, which every server keeps
/// up to date) and refuses a run whose memory estimate none of them can hold.</summary>
[Collection(PostgresCollection.First)]
public sealed class SubmissionMemoryTests(PostgresFixture postgres) : WebAppTestBase(postgres)
{
    [Fact]
    public async Task ARunNoLiveDeviceOfItsQueueCanHoldIsRefusedWithTheEstimateAndNothingIsWritten()
    {
        await Api.Http.PostAsync("/api/models/demo", null);
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();

        // The embedded job server has published its CPU, for every queue it takes runs from.
        var cpu = Assert.Single(await Eventually.GetAsync(
            async () => (await connection.QueryAsync<(long Bytes, string[] Queues)>("SELECT memory_bytes, queues FROM worker_devices WHERE device = 'cpu'")).ToList(),
            rows => rows.Count > 0, TimeSpan.FromSeconds(30), "the embedded server's CPU in worker_devices"));
        Assert.Equal(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes, cpu.Bytes, (double)cpu.Bytes / 4);
        Assert.Equal(["gpu", "cpu", "default"], cpu.Queues);

        // A GPU node of queue gpu whose one device holds 1 MiB, less than FIGA on the demo model needs.
        await connection.ExecuteAsync("INSERT INTO worker_devices (server, device, memory_bytes, queues) VALUES ('gpu-node', 'cuda:0', 1048576, '{gpu}')");
        var runsBefore = await Api.RunCountAsync();
        var response = await Api.Http.PostAsJsonAsync("/api/runs", FigaOn("gpu", "cuda"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errors"]!["parameters.device"]![0]!.GetValue<string>();
        Assert.Matches(@"^The run needs about \d+\.\d MiB \(full bf16-mixed: weights .*\), more than the largest cuda device of the workers of queue 'gpu' holds: " +
                       @"1\.0 MiB \(cuda:0 of gpu-node\)\. To fit, ", error);
        Assert.Equal(runsBefore, await Api.RunCountAsync());

        // A sweep is refused by the same check, point by point.
        var sweep = await Api.Http.PostAsJsonAsync("/api/sweeps", new { run = FigaOn("gpu", "cuda"), grid = new { learning_rate = new[] { 1e-5, 2e-5 } } });
        Assert.Equal(HttpStatusCode.BadRequest, sweep.StatusCode);
        var sweepErrors = JsonNode.Parse(await sweep.Content.ReadAsStringAsync())!["errors"]!["parameters.device"]!.AsArray();
        Assert.Equal(2, sweepErrors.Count);
        Assert.All(sweepErrors, e => Assert.StartsWith("at learning_rate=", e!.GetValue<string>()));

        // The CPU of the embedded server holds it, and a GPU named by number that no live server has is not known: both are taken.
        await CreatedAndCancelledAsync(FigaOn("cpu", "cpu"));
        await CreatedAndCancelledAsync(FigaOn("gpu", "cuda:1"));

        // A server not seen for two minutes is gone: its device no longer refuses anything.
        await connection.ExecuteAsync("UPDATE worker_devices SET seen_at = now() - interval '3 minutes' WHERE server = 'gpu-node'");
        await CreatedAndCancelledAsync(FigaOn("gpu", "cuda"));
    }

    private static object FigaOn(string queue, string device) =>
        new { method = "figa", queue, parameters = new { model = "demo-gpt2", device, max_steps = 1, batch_size = 4, grad_accum = 1 } };

    private async Task CreatedAndCancelledAsync(object request)
    {
        var response = await Api.Http.PostAsJsonAsync("/api/runs", request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
        await Api.Http.PostAsync($"/api/runs/{id}/cancel", null);
    }
}
