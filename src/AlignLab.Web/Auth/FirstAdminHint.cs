using AlignLab.Data.Accounts;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace AlignLab.Web.Auth;

/// <summary>On a database without accounts, says at start-up where the first admin is made (the set-up page answers
/// only this machine, so the address printed is the one to open here).</summary>
public sealed class FirstAdminHint(AccountRepository accounts, IServer server, IHostApplicationLifetime lifetime, ILogger<FirstAdminHint> log)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource();
        await using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        await using (stoppingToken.Register(() => started.TrySetCanceled()))
        {
            try { await started.Task; }
            catch (OperationCanceledException) { return; }
        }
        try
        {
            if (await accounts.AnyUserAsync(stoppingToken)) return;
        }
        catch (Npgsql.NpgsqlException) { return; }
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://127.0.0.1:5000";
        log.LogWarning("No account exists yet: open {Address}/setup in a browser on this machine to create the first admin", address);
    }
}
