using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using AlignLab.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace AlignLab.Worker.Tests;

/// <summary>The distributed placement: a web node without a job server, and AlignLab.Worker processes
/// against the same database.</summary>
[Collection(PostgresCollection.Name)]
public sealed class SeparateWorkerTests(PostgresFixture postgres) : IAsyncLifetime
{
    private string _connectionString = "";
    private readonly string _artifacts = Directory.CreateTempSubdirectory("alignlab-worker-artifacts-").FullName;
    private AppProcess _web = null!;
    private AlignLabApi _api = null!;

    public async Task InitializeAsync()
    {
        _connectionString = await postgres.CreateDatabaseAsync(migrate: false);
        _web = await AppProcess.StartWebAsync(new Dictionary<string, string>
        {
            ["ConnectionStrings:AlignLab"] = _connectionString,
            ["AlignLab:Artifacts:Root"] = _artifacts,
            ["AlignLab:Jobs:RunServer"] = "false",
            ["AlignLab:Models:Roots:0"] = _artifacts,
            ["AlignLab:Models:CreateDemoModel"] = "false",
        });
        _api = await AlignLabApi.ForAsync(_web);
    }

    private AppProcess StartWorker(string name, IDictionary<string, string>? extra = null) => AppProcess.Start("AlignLab.Worker", new Dictionary<string, string>(extra ?? new Dictionary<string, string>())
    {
        ["ConnectionStrings:AlignLab"] = _connectionString,
        ["AlignLab:Artifacts:Root"] = _artifacts,
        ["AlignLab:Models:Roots:0"] = _artifacts,
        ["AlignLab:Jobs:ServerName"] = name,
        ["AlignLab:Jobs:WorkerCount"] = "1",
        // Short so that a killed worker's job comes back quickly; a live worker keeps extending it.
        ["AlignLab:Jobs:InvisibilityTimeoutSeconds"] = "6",
        ["AlignLab:Jobs:QueuePollIntervalSeconds"] = "1",
    });

    [Fact]
    public async Task AKilledWorkerRunIsFinishedByTheNextWorkerWithoutDuplicateOrMissingPoints()
    {
        const int steps = 80;
        var run = await _api.CreateRunAsync(new { method = "smoke", parameters = new { steps, delay_ms = 60, checkpoint_every = 5 } });
        var id = Guid.Parse(run["id"]!.GetValue<string>());

        // Nobody executes it while there is no worker: the web app's own server is off.
        await Task.Delay(2500);
        Assert.Equal("Queued", await _api.StatusAsync(id));

        var first = StartWorker("worker-a");
        await _api.WaitForStatusAsync(id, "Running", TimeSpan.FromSeconds(60));
        await WaitForStepAsync(id, 17, TimeSpan.FromSeconds(30));
        await KillAsync(first);
        var stepAtKill = (await _api.GetRunAsync(id))["step"]!.GetValue<long>();
        Assert.Equal("Running", await _api.StatusAsync(id));

        await using var second = StartWorker("worker-b");
        await _api.WaitForStatusAsync(id, "Succeeded", TimeSpan.FromSeconds(90));

        var loss = (await _api.MetricsAsync(id)).Where(p => p!["name"]!.GetValue<string>() == "loss")
            .Select(p => p!["step"]!.GetValue<long>()).ToList();
        Assert.Equal(Enumerable.Range(1, steps).Select(s => (long)s), loss);

        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        Assert.Equal(0L, await Scalar(connection, "SELECT count(*) FROM (SELECT 1 FROM metrics GROUP BY run_id, name, step HAVING count(*) > 1) d"));
        // Two attempts, the second resumed from a checkpoint taken before the kill, after the first had started.
        Assert.Equal(2L, await Scalar(connection, $"SELECT attempts::bigint FROM runs WHERE id = '{id}'"));
        Assert.Equal(2L, await Scalar(connection, $"SELECT count(*) FROM run_events WHERE run_id = '{id}' AND status = 'Running'"));
        var checkpoints = Directory.GetDirectories(Path.Combine(_artifacts, "runs", id.ToString(), "checkpoints"));
        Assert.Contains(checkpoints, c => c.EndsWith($"step-{steps:D10}"));
        Assert.True(stepAtKill < steps);
        Assert.Contains("worker-b", await ProcessingServer(connection, id));
    }

    [Fact]
    public async Task AKilledSpaConstructionContinuesWithoutRevisingAnInstanceTwice()
    {
        var questions = Enumerable.Range(1, 12).Select(i => $"What is {i} plus {i}?").ToList();
        using var endpoint = new FakeChatCompletions((prompt, _) =>
        {
            Thread.Sleep(600);   // slow enough for the kill to fall between revisions
            return FakeChatCompletions.IsClassification(prompt) ? new FakeChatCompletions.Reply(200, "A")
                : new FakeChatCompletions.Reply(200, FakeChatCompletions.Reference(prompt));
        });
        await _api.Http.PostAsync("/api/models/demo", null);
        TestRewardModels.CreateRandom(Path.Combine(_artifacts, "demo-gpt2"), Path.Combine(_artifacts, "test-rm"));
        var pool = string.Join("\n", questions.Select((q, i) => new JsonObject { ["instruction"] = q, ["output"] = $"It is {2 * (i + 1)}." }.ToJsonString()));
        var upload = await _api.Http.PostAsync("/api/datasets/pool?name=sums", new StringContent(pool, System.Text.Encoding.UTF8, "application/jsonl"));
        var poolId = JsonNode.Parse(await upload.Content.ReadAsStringAsync())!["dataset"]!["id"]!.GetValue<string>();
        var run = await _api.CreateRunAsync(new
        {
            method = "spa-construction",
            parameters = new { pool = poolId, reward_model = "test-rm", eta1 = 1e6, eta2 = -1e6, eta3 = -1e6, max_new_tokens = 6 },
        });
        var id = Guid.Parse(run["id"]!.GetValue<string>());
        var settings = new Dictionary<string, string> { ["AlignLab:Revision:Endpoint"] = endpoint.BaseAddress };

        var first = StartWorker("worker-a", settings);
        var revisedBeforeKill = await Eventually.GetAsync(async () => await RevisedAsync(id), r => r.Count >= 3,
            TimeSpan.FromSeconds(90), "three revised instances");
        await KillAsync(first);
        revisedBeforeKill = await RevisedAsync(id);
        Assert.True(revisedBeforeKill.Count < questions.Count, "the kill came before the end");

        await using var second = StartWorker("worker-b", settings);
        await _api.WaitForStatusAsync(id, "Succeeded", TimeSpan.FromSeconds(120));
        Assert.Equal(questions.Count, (await RevisedAsync(id)).Count);
        // What was revised before the kill was never asked again; every instance was classified at least once.
        var classified = endpoint.Requests.Where(r => FakeChatCompletions.IsClassification(r.Prompt)).Select(r => r.Prompt).ToList();
        foreach (var index in revisedBeforeKill)
            Assert.Single(classified, p => p.StartsWith($"Question: {questions[index]}\n"));
        Assert.All(questions, q => Assert.Contains(classified, p => p.StartsWith($"Question: {q}\n")));
        var summary = JsonNode.Parse(await _api.Http.GetStringAsync($"/api/constructions/{id}"))!;
        var examples = JsonNode.Parse(await _api.Http.GetStringAsync($"/api/datasets/{summary["datasetId"]!.GetValue<string>()}/examples?limit=100"))!.AsArray();
        Assert.Equal(questions.Count, examples.Count);
    }

    [Fact]
    public async Task AKilledPpoRunResumesFromItsCheckpointWithEveryStepSampleAndRolloutStatisticOnce()
    {
        const int steps = 24;
        await _api.Http.PostAsync("/api/models/demo", null);
        var run = await _api.CreateRunAsync(new
        {
            method = "ppo",
            parameters = new { reward = "keyword", keyword = "Tokyo", max_steps = steps, batch_size = 4, mini_batch_size = 2, ppo_epochs = 1, max_new_tokens = 6, checkpoint_every = 4, sample_every = 1 },
        });
        var id = Guid.Parse(run["id"]!.GetValue<string>());

        var first = StartWorker("worker-a");
        await WaitForStepAsync(id, 10, TimeSpan.FromSeconds(90));
        await KillAsync(first);
        Assert.True((await _api.GetRunAsync(id))["step"]!.GetValue<long>() < steps, "the kill came before the end");

        await using var second = StartWorker("worker-b");
        await _api.WaitForStatusAsync(id, "Succeeded", TimeSpan.FromSeconds(120));
        var points = await _api.MetricsAsync(id);
        foreach (var name in new[] { "reward", "kl", "kl_beta", "policy_loss" })
            Assert.Equal(Enumerable.Range(1, steps).Select(s => (long)s), points.Where(p => p!["name"]!.GetValue<string>() == name).Select(p => p!["step"]!.GetValue<long>()));
        // The samples the first attempt wrote after its last checkpoint were dropped and written again, once.
        var samples = File.ReadAllLines(Path.Combine(_artifacts, "runs", id.ToString(), "samples.jsonl")).Select(l => JsonNode.Parse(l)!["step"]!.GetValue<long>()).ToList();
        Assert.Equal(Enumerable.Range(1, steps).SelectMany(s => Enumerable.Repeat((long)s, 4)), samples);
        // So were the statistics of every rollout (batch_size 4 per step), which the reward-hacking report reads.
        var rollouts = File.ReadAllLines(Path.Combine(_artifacts, "runs", id.ToString(), "rollout_stats.jsonl")).Select(l => JsonNode.Parse(l)!["step"]!.GetValue<long>()).ToList();
        Assert.Equal(Enumerable.Range(1, steps).SelectMany(s => Enumerable.Repeat((long)s, 4)), rollouts);
        // And the per-token rollouts the rollouts browser reads (rollouts_kept 8, so the whole batch of 4).
        var browsed = File.ReadAllLines(Path.Combine(_artifacts, "runs", id.ToString(), "rollouts.jsonl")).Select(l => JsonNode.Parse(l)!["step"]!.GetValue<long>()).ToList();
        Assert.Equal(Enumerable.Range(1, steps).SelectMany(s => Enumerable.Repeat((long)s, 4)), browsed);
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        Assert.Equal(2L, await Scalar(connection, $"SELECT attempts::bigint FROM runs WHERE id = '{id}'"));
    }

    [Fact]
    public async Task ARunOutOfMemoryFailsAloneAndTheSameWorkerThenTrainsTheNextRun()
    {
        await _api.Http.PostAsync("/api/models/demo", null);
        var worker = StartWorker("worker-oom");
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        // The worker has published its devices for its queues.
        await Eventually.GetAsync(() => Scalar(connection, "SELECT count(*) FROM worker_devices WHERE server = 'worker-oom' AND device = 'cpu'"),
            n => n == 1, TimeSpan.FromSeconds(60), "the worker's CPU in worker_devices");

        // An allocation failure at step 3 of a run (simulated: the smoke method throws what an allocator throws).
        var oom = Guid.Parse((await _api.CreateRunAsync(new { method = "smoke", parameters = new { steps = 10, delay_ms = 0, fail_at_step = 3, fail_with = "out_of_memory" } }))["id"]!.GetValue<string>());
        await _api.WaitForStatusAsync(oom, "Failed", TimeSpan.FromSeconds(60));
        var error = (await _api.GetRunAsync(oom))["error"]!.GetValue<string>();
        Assert.StartsWith("Out of memory on cpu: smoke run asked to run out of memory at step 3", error);
        Assert.EndsWith("To fit, use a smaller batch or shorter sequences (the same effective batch through gradient accumulation), " +
                        "precision bf16 instead of bf16-mixed or fp32, LoRA adapters instead of full fine-tuning, or a device with more memory.", error);

        // The same worker process, still alive, then trains a real run to its end.
        var sft = Guid.Parse((await _api.CreateRunAsync(new
        {
            method = "sft", queue = "cpu",
            parameters = new { model = "demo-gpt2", max_steps = 2, batch_size = 4, eval_every = 0, warmup_steps = 0, checkpoint_every = 0 },
        }))["id"]!.GetValue<string>());
        await _api.WaitForStatusAsync(sft, "Succeeded", TimeSpan.FromSeconds(120));
        Assert.False(worker.HasExited);
        Assert.Contains("worker-oom", await ProcessingServer(connection, oom));
        Assert.Contains("worker-oom", await ProcessingServer(connection, sft));

        // Stopped, the worker takes its devices away.
        await worker.DisposeAsync();
        Assert.Equal(0L, await Scalar(connection, "SELECT count(*) FROM worker_devices WHERE server = 'worker-oom'"));
    }

    private Task WaitForStepAsync(Guid id, long step, TimeSpan timeout) =>
        Eventually.GetAsync(async () => (await _api.GetRunAsync(id))["step"]!.GetValue<long>(), s => s >= step, timeout, $"the run to pass step {step}");

    /// <summary>SIGKILL: no shutdown, no last flush.</summary>
    private static async Task KillAsync(AppProcess worker)
    {
        worker.Kill();
        await worker.WaitForExitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>Indexes of the revised instances; none while the construction has not started.</summary>
    private async Task<List<int>> RevisedAsync(Guid id)
    {
        var response = await _api.Http.GetAsync($"/api/constructions/{id}/items?status=revised&limit=100");
        if (!response.IsSuccessStatusCode) return [];
        return [.. JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsArray().Select(i => i!["index"]!.GetValue<int>())];
    }

    [Fact]
    public async Task AKilledEvaluationResumesWithoutScoringAnItemTwice()
    {
        await _api.Http.PostAsync("/api/models/demo", null);
        var run = await _api.CreateRunAsync(new
        {
            method = "evaluate",
            parameters = new { models = new[] { "demo-gpt2" }, sets = new[] { "demo-eval-choices", "demo-eval-generation" }, max_new_tokens = 64, batch_size = 1, resamples = 100 },
        });
        var id = Guid.Parse(run["id"]!.GetValue<string>());
        var items = Path.Combine(_artifacts, "runs", id.ToString(), "evaluation_items.jsonl");

        var first = StartWorker("worker-a");
        await WaitForStepAsync(id, 24, TimeSpan.FromSeconds(90));
        await KillAsync(first);
        var before = File.ReadAllLines(items).Where(l => l.EndsWith('}')).ToList();
        Assert.True(before.Count is >= 24 and < 58, $"the kill came midway ({before.Count} of 58 items)");

        await using var second = StartWorker("worker-b");
        await _api.WaitForStatusAsync(id, "Succeeded", TimeSpan.FromSeconds(120));
        // The records written before the kill are still the file's first lines, and every item has one record: none was
        // scored again.
        var after = File.ReadAllLines(items);
        Assert.Equal(58, after.Length);
        Assert.Equal(before, after.Take(before.Count));
        var keys = after.Select(l => JsonNode.Parse(l)!).Select(r => (r["set"]!.GetValue<string>(), r["index"]!.GetValue<int>())).ToList();
        Assert.Equal(58, keys.Distinct().Count());
        var evaluation = JsonNode.Parse(await _api.Http.GetStringAsync($"/api/runs/{id}/evaluation"))!;
        Assert.Contains(evaluation["results"]!.AsArray(), r => r!["metric"]!.GetValue<string>() == "acc");
    }

    [Fact]
    public async Task AKilledFigaRunResumesFromItsCheckpointWithEveryStepOnce()
    {
        const int steps = 40;
        await _api.Http.PostAsync("/api/models/demo", null);
        var run = await _api.CreateRunAsync(new
        {
            method = "figa",
            parameters = new { max_steps = steps, batch_size = 8, grad_accum = 2, eval_every = 0, eval_fraction = 0.05, checkpoint_every = 4 },
        });
        var id = Guid.Parse(run["id"]!.GetValue<string>());

        var first = StartWorker("worker-a");
        await WaitForStepAsync(id, 8, TimeSpan.FromSeconds(120));
        await KillAsync(first);
        Assert.True((await _api.GetRunAsync(id))["step"]!.GetValue<long>() < steps, "the kill came before the end");

        await using var second = StartWorker("worker-b");
        await _api.WaitForStatusAsync(id, "Succeeded", TimeSpan.FromSeconds(180));
        // The loss curve continues where the checkpoint left it: every step once, none missing.
        var loss = (await _api.MetricsAsync(id)).Where(p => p!["name"]!.GetValue<string>() == "loss").Select(p => p!["step"]!.GetValue<long>()).ToList();
        Assert.Equal(Enumerable.Range(1, steps).Select(s => (long)s), loss);
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        Assert.Equal(2L, await Scalar(connection, $"SELECT attempts::bigint FROM runs WHERE id = '{id}'"));
        Assert.True(File.Exists(Path.Combine(_artifacts, "runs", id.ToString(), "token_weights.jsonl")), "the resumed run finished its evaluation");
    }

    [Fact]
    public async Task AResumedRunWhoseCheckpointIsCorruptFailsWithTheReasonInsteadOfStartingOver()
    {
        await _api.Http.PostAsync("/api/models/demo", null);
        var run = await _api.CreateRunAsync(new
        {
            method = "figa",
            parameters = new { max_steps = 40, batch_size = 8, grad_accum = 1, eval_every = 0, eval_fraction = 0.05, checkpoint_every = 3 },
        });
        var id = Guid.Parse(run["id"]!.GetValue<string>());
        var first = StartWorker("worker-a");
        await WaitForStepAsync(id, 4, TimeSpan.FromSeconds(120));
        await KillAsync(first);

        // A disk fault truncates the newest checkpoint's weights.
        var latest = Directory.GetDirectories(Path.Combine(_artifacts, "runs", id.ToString(), "checkpoints")).Order().Last();
        var weights = Directory.GetFiles(latest, "*.safetensors").Single();
        await File.WriteAllBytesAsync(weights, (await File.ReadAllBytesAsync(weights))[..100]);
        var stepsBefore = (await _api.MetricsAsync(id)).Count(p => p!["name"]!.GetValue<string>() == "loss");

        await using var second = StartWorker("worker-b");
        await _api.WaitForStatusAsync(id, "Failed", TimeSpan.FromSeconds(120));
        var error = (await _api.GetRunAsync(id))["error"]!.GetValue<string>();
        Assert.Contains($"checkpoint at step {Path.GetFileName(latest)["step-".Length..].TrimStart('0')}", error);
        Assert.Contains("cannot be restored", error);
        // Nothing was trained again: the curve is what the first attempt wrote.
        Assert.Equal(stepsBefore, (await _api.MetricsAsync(id)).Count(p => p!["name"]!.GetValue<string>() == "loss"));
    }

    public sealed record HubPoint(long Step, string Name, double Value, DateTimeOffset Time);

    [Fact]
    public async Task ARunOutlivesARestartOfPostgreSqlWithEveryPointStoredAndStreamedOnce()
    {
        const int steps = 70;
        await using var hub = new HubConnectionBuilder().WithUrl($"{await _web.ListeningAddress}/hubs/runs", o => o.AccessTokenProvider = () => Task.FromResult<string?>(_web.Admin.ApiKey))
            .AddJsonProtocol(o => o.PayloadSerializerOptions = AlignLabApi.Json).Build();
        var streamed = new ConcurrentQueue<long>();
        hub.On<Guid, HubPoint[]>("metrics", (_, batch) => { foreach (var p in batch) if (p.Name == "loss") streamed.Enqueue(p.Step); });
        await hub.StartAsync();

        var run = await _api.CreateRunAsync(new { method = "smoke", parameters = new { steps, delay_ms = 100, checkpoint_every = 5 } });
        var id = Guid.Parse(run["id"]!.GetValue<string>());
        await hub.InvokeAsync("Subscribe", id);
        await using var worker = StartWorker("worker-a");
        await WaitForStepAsync(id, 10, TimeSpan.FromSeconds(60));

        // Down for 3 s: about 30 steps report into the worker's buffer while no write can succeed.
        await postgres.RestartAsync(TimeSpan.FromSeconds(3));
        var afterRestart = streamed.Count;

        // The web node reads again (its pool's dead connections are replaced), the worker finishes the same attempt.
        await _api.WaitForStatusAsync(id, "Succeeded", TimeSpan.FromSeconds(120));
        var loss = (await _api.MetricsAsync(id)).Where(p => p!["name"]!.GetValue<string>() == "loss").Select(p => p!["step"]!.GetValue<long>()).ToList();
        Assert.Equal(Enumerable.Range(1, steps).Select(s => (long)s), loss);
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        Assert.Equal(1L, await Scalar(connection, $"SELECT attempts::bigint FROM runs WHERE id = '{id}'"));
        Assert.Equal(1L, await Scalar(connection, $"SELECT count(*) FROM run_events WHERE run_id = '{id}' AND status = 'Running'"));

        // The web node's LISTEN connection came back: points written after the restart reached the browser side,
        // the last step among them, and none twice.
        await Eventually.GetAsync(() => Task.FromResult(streamed.Contains(steps)), ok => ok, TimeSpan.FromSeconds(10), "the last step on the hub");
        Assert.True(streamed.Count > afterRestart, "points streamed after the restart");
        Assert.Equal(streamed.Count, streamed.Distinct().Count());
    }

    [Fact]
    public async Task TwoWorkersNeverRunTheSameJob()
    {
        var ids = new List<Guid>();
        for (int i = 0; i < 6; i++)
            ids.Add(Guid.Parse((await _api.CreateRunAsync(new { method = "smoke", parameters = new { steps = 12, delay_ms = 80 } }))["id"]!.GetValue<string>()));
        await using var a = StartWorker("worker-a");
        await using var b = StartWorker("worker-b");
        foreach (var id in ids) await _api.WaitForStatusAsync(id, "Succeeded", TimeSpan.FromSeconds(120));

        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        foreach (var id in ids)
        {
            // One attempt, one Running, and every point written once: no second worker ever picked it up.
            Assert.Equal(1L, await Scalar(connection, $"SELECT attempts::bigint FROM runs WHERE id = '{id}'"));
            Assert.Equal(1L, await Scalar(connection, $"SELECT count(*) FROM run_events WHERE run_id = '{id}' AND status = 'Running'"));
            Assert.Equal(1L, await Scalar(connection, $"SELECT count(*) FROM hangfire.state s JOIN hangfire.job j ON j.id = s.jobid WHERE s.name = 'Processing' AND j.arguments::text LIKE '%{id}%'"));
        }
        Assert.Equal(0L, await Scalar(connection, "SELECT count(*) FROM (SELECT 1 FROM metrics GROUP BY run_id, name, step HAVING count(*) > 1) d"));
        // Both took work: the queue was shared, not drained by one.
        var servers = new HashSet<string>();
        foreach (var id in ids) servers.Add((await ProcessingServer(connection, id)).Contains("worker-a") ? "a" : "b");
        Assert.Equal(2, servers.Count);
    }

    private static async Task<long> Scalar(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    /// <summary>The Hangfire server named in the job's last Processing state.</summary>
    private static async Task<string> ProcessingServer(NpgsqlConnection connection, Guid runId)
    {
        await using var command = new NpgsqlCommand(
            """
            SELECT s.data::text FROM hangfire.state s JOIN hangfire.job j ON j.id = s.jobid
            WHERE s.name = 'Processing' AND j.arguments::text LIKE '%' || $1 || '%' ORDER BY s.id DESC LIMIT 1
            """, connection);
        command.Parameters.AddWithValue(runId.ToString());
        return (await command.ExecuteScalarAsync())?.ToString() ?? "";
    }

    public async Task DisposeAsync()
    {
        _api.Dispose();
        await _web.DisposeAsync();
    }
}
