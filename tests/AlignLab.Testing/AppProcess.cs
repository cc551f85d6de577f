using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;

namespace AlignLab.Testing;

/// <summary>A real AlignLab.Web or AlignLab.Worker process started from its build output, with settings
/// passed as command-line arguments, as an operator would run it.</summary>
public sealed partial class AppProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly TaskCompletionSource<string> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private AppProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;
    public string Output => string.Join('\n', _output);

    /// <summary>The first address the web app said it listens on.</summary>
    public Task<string> ListeningAddress => _listening.Task;

    /// <summary>The web app's first admin, made by <see cref="StartWebAsync"/> (or the one it was given); none when it
    /// was started without set-up.</summary>
    public TestAdmin Admin { get; private set; } = null!;

    public static AppProcess Start(string project, IDictionary<string, string> settings)
    {
        var dll = BuildOutputOf(project);
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        start.ArgumentList.Add(dll);
        foreach (var (key, value) in settings) start.ArgumentList.Add($"--{key}={value}");
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Logging__Console__FormatterName"] = "simple";
        return new AppProcess(Process.Start(start) ?? throw new InvalidOperationException($"could not start {dll}"));
    }

    /// <summary>README's run script (<c>scripts/run.sh --no-build</c>, the build being done), with settings as arguments: the
    /// script replaces itself with the web app, so this process is the app.</summary>
    public static AppProcess StartRunScript(IDictionary<string, string> settings)
    {
        var root = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(BuildOutputOf("AlignLab.Web"))!, "..", "..", "..", "..", ".."));
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = root,
        };
        start.ArgumentList.Add(Path.Combine(root, "scripts", "run.sh"));
        start.ArgumentList.Add("--no-build");
        foreach (var (key, value) in settings) start.ArgumentList.Add($"--{key}={value}");
        start.Environment["Logging__Console__FormatterName"] = "simple";
        return new AppProcess(Process.Start(start) ?? throw new InvalidOperationException("could not start scripts/run.sh"));
    }

    /// <summary>Starts the web app on a free loopback port, waits until it serves and sets it up with a first admin
    /// (as a person does on /setup). A database set up before needs that admin passed in <paramref name="admin"/>.</summary>
    public static async Task<AppProcess> StartWebAsync(IDictionary<string, string> settings, TimeSpan? timeout = null, TestAdmin? admin = null,
        bool setUp = true)
    {
        var all = new Dictionary<string, string>(settings) { ["urls"] = "http://127.0.0.1:0" };
        var app = Start("AlignLab.Web", all);
        var ready = await Task.WhenAny(app.ListeningAddress, Task.Delay(timeout ?? TimeSpan.FromSeconds(60)), app.ExitedAsync());
        if (ready != app.ListeningAddress)
        {
            await app.DisposeAsync();
            throw new InvalidOperationException($"the web app did not start listening:\n{app.Output}");
        }
        if (setUp) app.Admin = await TestAdmin.SetUpAsync(await app.ListeningAddress, admin);
        return app;
    }

    public void Kill() => _process.Kill(entireProcessTree: false);

    /// <summary>Sends SIGINT, as Ctrl+C in a terminal does.</summary>
    public void Interrupt() => Process.Start("kill", ["-INT", _process.Id.ToString()])!.WaitForExit();

    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Interrupt();
            if (!await WaitForExitAsync(TimeSpan.FromSeconds(30))) _process.Kill(entireProcessTree: true);
        }
        _process.Dispose();
    }

    private Task ExitedAsync() => _process.WaitForExitAsync();

    private void OnLine(string? line)
    {
        if (line is null) return;
        _output.Enqueue(line);
        if (ListeningLine().Match(line) is { Success: true } match) _listening.TrySetResult(match.Groups[1].Value);
    }

    /// <summary>The project's own build output, built beside the tests (same configuration).</summary>
    private static string BuildOutputOf(string project)
    {
        var configuration = typeof(AppProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "src", project, "bin", configuration, "net10.0", project + ".dll");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"no build output of {project} found above {AppContext.BaseDirectory}; build the solution first");
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningLine();
}
