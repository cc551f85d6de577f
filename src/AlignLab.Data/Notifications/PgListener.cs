using Microsoft.Extensions.Logging;
using Npgsql;

namespace AlignLab.Data.Notifications;

/// <summary>Holds one connection that LISTENs on some channels and hands every notification to a callback.
/// Reconnects with backoff when the server goes away; <c>onConnected</c> runs after each (re)connect so a
/// consumer can catch up on what it may have missed while disconnected.</summary>
public sealed class PgListener(
    NpgsqlDataSource dataSource,
    IReadOnlyList<string> channels,
    Action<string, string> onNotification,
    ILogger log,
    Func<CancellationToken, Task>? onConnected = null)
{
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.FromMilliseconds(200);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, e) =>
                {
                    try { onNotification(e.Channel, e.Payload); }
                    catch (Exception ex) { log.LogError(ex, "Handling a notification on {Channel} failed", e.Channel); }
                };
                foreach (var channel in channels)
                    await using (var listen = new NpgsqlCommand($"LISTEN {channel}", connection))
                        await listen.ExecuteNonQueryAsync(stoppingToken);
                if (onConnected is not null) await onConnected(stoppingToken);
                backoff = TimeSpan.FromMilliseconds(200);
                while (!stoppingToken.IsCancellationRequested)
                    await connection.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                log.LogWarning("Listening on {Channels} failed ({Message}); reconnecting in {Delay} ms",
                    string.Join(",", channels), e.Message, backoff.TotalMilliseconds);
                try { await Task.Delay(backoff, stoppingToken); }
                catch (OperationCanceledException) { return; }
                backoff = TimeSpan.FromMilliseconds(Math.Min(backoff.TotalMilliseconds * 2, 5000));
            }
        }
    }
}
