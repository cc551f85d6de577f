using System.Diagnostics;

namespace AlignLab.Data.Embedded;

/// <summary>Runs a PostgreSQL tool to completion, as the postgres system user when this process is root.</summary>
internal static class ProcessRunner
{
    public static async Task<ProcessResult> RunAsync(string file, IEnumerable<string> arguments, bool asPostgresUser,
        TimeSpan timeout, bool throwOnError = true, CancellationToken cancellationToken = default)
    {
        var start = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (asPostgresUser)
        {
            start.FileName = "runuser";
            start.ArgumentList.Add("-u");
            start.ArgumentList.Add(SystemUser.PostgresUser);
            start.ArgumentList.Add("--");
            start.ArgumentList.Add(file);
        }
        else start.FileName = file;
        var args = arguments.ToList();
        foreach (var argument in args) start.ArgumentList.Add(argument);
        // Tools print in the user's language otherwise; messages end up in exceptions and logs.
        start.Environment["LC_MESSAGES"] = "C";

        using var process = Process.Start(start)
            ?? throw new InvalidOperationException($"could not start {start.FileName}");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(file)} did not finish within {timeout.TotalSeconds:0} s");
        }
        var output = await stdout + await stderr;
        if (throwOnError && process.ExitCode != 0)
            throw new EmbeddedPostgresException(
                $"{Path.GetFileName(file)} {string.Join(' ', args)} failed (exit {process.ExitCode}): {output.Trim()}");
        return new ProcessResult(process.ExitCode, output);
    }
}

internal readonly record struct ProcessResult(int ExitCode, string Output);
