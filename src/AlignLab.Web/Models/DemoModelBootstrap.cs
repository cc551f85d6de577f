using AlignLab.Core.Demo;
using AlignLab.Core.Models;
using AlignLab.Jobs.Hosting;
using Microsoft.Extensions.Options;

namespace AlignLab.Web.Models;

/// <summary>Creates the demo model in the first model root when it is missing, in the background so that the UI
/// serves at once. Creation is idempotent and safe against a concurrent request to create it.</summary>
public sealed class DemoModelBootstrap(IModelCatalog registry, IDemoModelWriter writer, IOptions<ModelsOptions> options, ILogger<DemoModelBootstrap> log) : BackgroundService
{
    private static readonly SemaphoreSlim Gate = new(1, 1);

    public string Folder => Path.Combine(registry.DefaultRoot, DemoPolicy.BaseModel);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.CreateDemoModel) return;
        await Task.Yield();
        try { await EnsureAsync(stoppingToken); }
        catch (Exception e) when (e is not OperationCanceledException) { log.LogError(e, "Creating the demo model failed"); }
    }

    public async Task<string> EnsureAsync(CancellationToken cancellationToken)
    {
        await Gate.WaitAsync(cancellationToken);
        try
        {
            if (!File.Exists(Path.Combine(Folder, "config.json")))
            {
                log.LogInformation("Creating the demo model in {Folder}", Folder);
                await Task.Run(() => writer.Ensure(Folder), cancellationToken);
            }
            return Folder;
        }
        finally
        {
            Gate.Release();
        }
    }
}
