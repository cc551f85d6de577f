using AlignLab.Data.Workers;
using AlignLab.Jobs.Execution;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AlignLab.Jobs.Hosting;

/// <summary>Tells submission what this job server can run on: its devices and their memory, and its queues, written to
/// worker_devices when it starts and every <see cref="Interval"/> after (well within
/// <see cref="WorkerDeviceRepository.LiveFor"/>), removed when it stops. A database that is away is tried again at the
/// next interval.</summary>
public sealed class WorkerDevicesPublisher(WorkerDeviceRepository devices, string server, IReadOnlyList<string> queues,
    ILogger<WorkerDevicesPublisher> log) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var own = DeviceMemory.OfThisProcess();
        log.LogInformation("Job server {Server} serves queues {Queues} on {Devices}", server, string.Join(", ", queues),
            string.Join(", ", own.Select(d => $"{d.Device} ({Core.Memory.MemoryEstimate.Format(d.MemoryBytes)})")));
        using var timer = new PeriodicTimer(Interval);
        do
        {
            try { await devices.PublishAsync(server, queues, own, stoppingToken); }
            catch (Exception e) when (e is not OperationCanceledException) { log.LogWarning(e, "Could not publish the devices of job server {Server}", server); }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try { await devices.RemoveAsync(server, cancellationToken); }
        catch (Exception e) { log.LogWarning(e, "Could not remove the devices of job server {Server}; they expire by themselves", server); }
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try { return await timer.WaitForNextTickAsync(stoppingToken); }
        catch (OperationCanceledException) { return false; }
    }
}
