using AlignLab.Data.Accounts;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace AlignLab.Web.Auth;

/// <summary>On a database without accounts: creates the first admin from AlignLab:Auth:FirstAdmin (for deployments where
/// nobody browses from the machine itself, e.g. a container), or says at start-up where the set-up page is (it answers
/// only this machine, so the address printed is the one to open here). The password is never logged.</summary>
public sealed class FirstAdmin(AccountRepository accounts, PasswordHashing passwords, IOptions<AuthOptions> options, IServer server,
    IHostApplicationLifetime lifetime, ILogger<FirstAdmin> log) : BackgroundService
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
            var configured = options.Value.FirstAdmin;
            if (!string.IsNullOrEmpty(configured.Name) || !string.IsNullOrEmpty(configured.Password))
            {
                if (AccountRules.CheckName(configured.Name) is { } nameError)
                    log.LogError("AlignLab:Auth:FirstAdmin:Name {Error}; no admin was created", nameError);
                else if (AccountRules.CheckPassword(configured.Password) is { } passwordError)
                    log.LogError("AlignLab:Auth:FirstAdmin:Password must be {Error}; no admin was created", passwordError);
                else if (await accounts.CreateFirstAdminAsync(configured.Name, passwords.Hash(configured.Password), stoppingToken) is not null)
                    log.LogInformation("Created the first admin, {Name}, from AlignLab:Auth:FirstAdmin", configured.Name);
                return;
            }
        }
        catch (Npgsql.NpgsqlException e)
        {
            log.LogWarning("Could not check for accounts at start-up ({Message})", e.Message);
            return;
        }
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://127.0.0.1:5080";
        log.LogWarning("No account exists yet: open {Address}/setup in a browser on this machine to create the first admin", address);
    }
}
