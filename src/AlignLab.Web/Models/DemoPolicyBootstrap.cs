using System.Text.Json.Nodes;
using AlignLab.Core.Demo;
using AlignLab.Core.Methods;
using AlignLab.Core.Models;
using AlignLab.Core.Runs;
using AlignLab.Data.Runs;
using AlignLab.Jobs.Hosting;
using AlignLab.Jobs.Launching;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;

namespace AlignLab.Web.Models;

/// <summary>Makes the demo policy (<see cref="DemoPolicy"/>) at first start, after the demo model: it launches an SFT run of
/// the platform's own (no launcher; visible in the runs list like any other), waits for it, and installs its export in the
/// first model root. A restart finds the run again (and the job resumes it) instead of launching another; several web
/// nodes agree on one run through a database lock. Off with AlignLab:Models:CreateDemoPolicy=false.</summary>
public sealed class DemoPolicyBootstrap(
    IModelCatalog registry,
    DemoModelBootstrap demoModel,
    RunLauncher launcher,
    RunRepository runs,
    NpgsqlDataSource dataSource,
    IOptions<ModelsOptions> options,
    ILogger<DemoPolicyBootstrap> log) : BackgroundService
{
    public string Folder => Path.Combine(registry.DefaultRoot, DemoPolicy.Name);

    public bool Enabled => options.Value.CreateDemoModel && options.Value.CreateDemoPolicy;

    public bool Ready => File.Exists(Path.Combine(Folder, "config.json"));

    /// <summary>The run that trains it, once launched or found.</summary>
    public Guid? RunId { get; private set; }

    /// <summary>Why it could not be made; null while it is being made or when it is ready.</summary>
    public string? Problem { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Enabled) return;
        await Task.Yield();
        try
        {
            await demoModel.EnsureAsync(stoppingToken);
            if (Ready) return;
            RunId = await FindOrLaunchAsync(stoppingToken);
            if (RunId is null) return;
            log.LogInformation("Training the demo policy in run {RunId}", RunId);
            while (!stoppingToken.IsCancellationRequested)
            {
                var run = await runs.GetAsync(RunId.Value, stoppingToken);
                if (run is { Status: RunStatus.Succeeded })
                {
                    Install(run.Id);
                    log.LogInformation("The demo policy is ready in {Folder}", Folder);
                    return;
                }
                if (run is null || run.Status.IsTerminal())
                {
                    Problem = $"its training run {(run is null ? "is gone" : $"ended {run.Status}: {run.Error}")}";
                    return;
                }
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Problem = e.Message;
            log.LogError(e, "Making the demo policy failed");
        }
    }

    /// <summary>The platform's unfinished or successful demo-policy run, or a new one; null when the folder appeared meanwhile.</summary>
    private async Task<Guid?> FindOrLaunchAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync("SELECT pg_advisory_lock(hashtextextended('alignlab:demo-policy', 0))");
        try
        {
            if (Ready) return null;
            var page = await runs.ListAsync(new RunQuery(Method: MethodNames.Sft, PageSize: 100), cancellationToken);
            if (page.Items.FirstOrDefault(r => r.Spec.Name == DemoPolicy.RunName && r.Actors.LaunchedById is null
                    && r.Status is not (RunStatus.Failed or RunStatus.Cancelled)) is { } existing)
                return existing.Id;
            var request = new JsonObject { ["method"] = MethodNames.Sft, ["name"] = DemoPolicy.RunName, ["parameters"] = DemoPolicy.Parameters() };
            var launched = await launcher.LaunchAsync(request, owner: null, cancellationToken);
            return launched.Run?.Id ?? throw new InvalidOperationException(
                "the demo policy's run was refused: " + string.Join("; ", launched.Errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}")));
        }
        finally
        {
            await connection.ExecuteAsync("SELECT pg_advisory_unlock(hashtextextended('alignlab:demo-policy', 0))");
        }
    }

    /// <summary>Copies the run's export into the model root under a temporary name (config.json last, so that the half-copied
    /// folder is no model), then renames it into place.</summary>
    private void Install(Guid runId)
    {
        var export = registry.Resolve(ModelFiles.ExportReference(runId));
        var partial = Folder + ".partial-" + Guid.NewGuid().ToString("N");
        Directory.CreateDirectory(partial);
        foreach (var file in Directory.GetFiles(export).OrderBy(f => Path.GetFileName(f) == "config.json"))
            File.Copy(file, Path.Combine(partial, Path.GetFileName(file)));
        try { Directory.Move(partial, Folder); }
        catch (IOException) when (Ready) { Directory.Delete(partial, recursive: true); }   // another node was first
    }
}
