using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace AlignLab.Data.Embedded;

/// <summary>A private PostgreSQL cluster made from the machine's PostgreSQL install: created on first use
/// under a per-user folder, listening on a free loopback port (the same one again next time when it is
/// free), password-protected, reused on every later start and stopped by whoever started it.</summary>
public sealed class EmbeddedPostgres : IAsyncDisposable
{
    private const string Superuser = "alignlab";
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(90);

    private readonly string _bin;
    private readonly bool _asPostgresUser;
    private readonly ILogger _log;
    private ClusterState _state;

    private EmbeddedPostgres(string root, string bin, ClusterState state, bool owned, ILogger log)
    {
        Root = root;
        _bin = bin;
        _state = state;
        Owned = owned;
        _asPostgresUser = SystemUser.IsRoot;
        _log = log;
    }

    public string Root { get; }
    public string DataDirectory => DataDirectoryOf(Root);
    public int Port => _state.Port;

    /// <summary>True when this instance started the server and so stops it on dispose.</summary>
    public bool Owned { get; private set; }

    public string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = _state.Port,
        Username = _state.User,
        Password = _state.Password,
        Database = database,
    }.ConnectionString;

    /// <summary>Creates the cluster if needed and starts it unless it is already running
    /// (a server left by a killed process is adopted and stopped by this instance later).</summary>
    public static async Task<EmbeddedPostgres> StartAsync(EmbeddedPostgresOptions options, ILogger log,
        CancellationToken cancellationToken = default)
    {
        var root = options.ResolveRoot();
        var bin = FindBinDirectory(options.BinDirectory);
        PrepareRoot(root);
        var state = ClusterState.Read(StateFileOf(root));
        if (state is null || !File.Exists(Path.Combine(DataDirectoryOf(root), "PG_VERSION")))
            state = await InitializeAsync(root, bin, log, cancellationToken);

        var cluster = new EmbeddedPostgres(root, bin, state, owned: true, log);
        if (await cluster.IsRunningAsync(cancellationToken))
            log.LogInformation("Reusing the running embedded PostgreSQL in {Root} on port {Port}", root, state.Port);
        else
            await cluster.StartServerAsync(cancellationToken);
        await cluster.CreateDatabaseIfMissingAsync(options.Database, cancellationToken);
        return cluster;
    }

    /// <summary>Connects to an embedded cluster another process (the web app) started; never starts or stops it.</summary>
    public static async Task<EmbeddedPostgres?> AttachAsync(EmbeddedPostgresOptions options, ILogger log,
        CancellationToken cancellationToken = default)
    {
        var root = options.ResolveRoot();
        var state = ClusterState.Read(StateFileOf(root));
        if (state is null) return null;
        var cluster = new EmbeddedPostgres(root, FindBinDirectory(options.BinDirectory), state, owned: false, log);
        return await cluster.IsRunningAsync(cancellationToken) ? cluster : null;
    }

    public async Task CreateDatabaseIfMissingAsync(string database, CancellationToken cancellationToken = default)
    {
        // Unpooled: a pooled connection could outlive a restart of the server and fail on first use.
        var admin = new NpgsqlConnectionStringBuilder(ConnectionString("postgres")) { Pooling = false };
        await using var connection = new NpgsqlConnection(admin.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using (var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection))
        {
            exists.Parameters.AddWithValue(database);
            if (await exists.ExecuteScalarAsync(cancellationToken) is not null) return;
        }
        var quoted = "\"" + database.Replace("\"", "\"\"") + "\"";
        await using var create = new NpgsqlCommand($"CREATE DATABASE {quoted}", connection);
        try { await create.ExecuteNonQueryAsync(cancellationToken); }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DuplicateDatabase) { }
    }

    public async Task StopAsync()
    {
        if (!Owned) return;
        Owned = false;
        _log.LogInformation("Stopping the embedded PostgreSQL in {Root}", Root);
        var server = ServerPid();
        await PgCtlAsync(["stop", "-D", DataDirectory, "-m", "fast", "-w", "-t", "60"], throwOnError: false);
        // pg_ctl returns once the server has removed postmaster.pid, a moment before its process has exited; wait for
        // that too (up to 10 s), so that a next start in the same folder, or on the same port, finds both free.
        for (var waited = 0; server is { } pid && Directory.Exists($"/proc/{pid}") && !IsZombie(pid) && waited < 200; waited++)
            await Task.Delay(50);
    }

    /// <summary>The server's process id from the first line of postmaster.pid; null when there is none.</summary>
    private int? ServerPid()
    {
        try { return int.TryParse(File.ReadLines(Path.Combine(DataDirectory, "postmaster.pid")).FirstOrDefault(), out var pid) ? pid : null; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>An exited process its parent has not reaped yet: gone in all but name.</summary>
    private static bool IsZombie(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/stat").Split(") ").ElementAtOrDefault(1)?.StartsWith('Z') == true; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return true; }
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    private async Task<bool> IsRunningAsync(CancellationToken cancellationToken)
    {
        var status = await PgCtlAsync(["status", "-D", DataDirectory], throwOnError: false, cancellationToken);
        return status.ExitCode == 0;
    }

    private async Task StartServerAsync(CancellationToken cancellationToken)
    {
        var port = IsPortFree(_state.Port) ? _state.Port : FreeLoopbackPort();
        if (port != _state.Port)
        {
            _log.LogInformation("Port {Old} is taken; the embedded PostgreSQL moves to {New}", _state.Port, port);
            _state = _state with { Port = port };
            _state.Write(StateFileOf(Root));
        }
        await WriteServerSettingsAsync(port);
        var log = Path.Combine(DataDirectory, "alignlab-server.log");
        var start = await PgCtlAsync(["start", "-D", DataDirectory, "-w", "-t", "60", "-l", log], throwOnError: false, cancellationToken);
        if (start.ExitCode != 0)
            throw new EmbeddedPostgresException(
                $"PostgreSQL in {DataDirectory} did not start: {start.Output.Trim()}\n{Tail(log)}");
        _log.LogInformation("Started the embedded PostgreSQL in {Root} on 127.0.0.1:{Port}", Root, port);
    }

    private async Task WriteServerSettingsAsync(int port)
    {
        var path = Path.Combine(DataDirectory, "alignlab.conf");
        File.WriteAllText(path,
            "# Written by AlignLab at every start of the embedded cluster.\n" +
            "listen_addresses = '127.0.0.1'\n" +
            $"port = {port}\n" +
            "unix_socket_directories = ''\n" +
            "max_connections = 200\n");
        if (_asPostgresUser) await ChangeOwnerAsync(path);
    }

    private static async Task<ClusterState> InitializeAsync(string root, string bin, ILogger log, CancellationToken cancellationToken)
    {
        var data = DataDirectoryOf(root);
        if (Directory.Exists(data) && Directory.EnumerateFileSystemEntries(data).Any())
            throw new EmbeddedPostgresException(
                $"{data} exists but holds no PostgreSQL cluster created by AlignLab (no PG_VERSION or no {StateFileOf(root)}); move it away or set AlignLab:Embedded:Root elsewhere.");
        Directory.CreateDirectory(data);
        var asPostgresUser = SystemUser.IsRoot;
        if (asPostgresUser) await ChangeOwnerAsync(data);

        var state = new ClusterState(FreeLoopbackPort(), Superuser, RandomPassword());
        var passwordFile = Path.Combine(root, ".initdb-password");
        File.WriteAllText(passwordFile, state.Password);
        File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        if (asPostgresUser) await ChangeOwnerAsync(passwordFile);
        try
        {
            log.LogInformation("Creating the embedded PostgreSQL cluster in {Data}", data);
            await ProcessRunner.RunAsync(Path.Combine(bin, "initdb"),
                ["-D", data, "-U", Superuser, "-A", "scram-sha-256", "--pwfile", passwordFile, "-E", "UTF8", "--no-locale"],
                asPostgresUser, ToolTimeout, cancellationToken: cancellationToken);
        }
        finally
        {
            File.Delete(passwordFile);
        }
        File.AppendAllText(Path.Combine(data, "postgresql.conf"), "\ninclude_if_exists = 'alignlab.conf'\n");
        state.Write(StateFileOf(root));
        return state;
    }

    private Task<ProcessResult> PgCtlAsync(IEnumerable<string> arguments, bool throwOnError, CancellationToken cancellationToken = default) =>
        ProcessRunner.RunAsync(Path.Combine(_bin, "pg_ctl"), arguments, _asPostgresUser, ToolTimeout, throwOnError, cancellationToken);

    private static void PrepareRoot(string root)
    {
        Directory.CreateDirectory(root);
        if (!SystemUser.IsRoot) return;
        // The postgres user must be able to reach the data folder: every ancestor needs o+x.
        File.SetUnixFileMode(root, File.GetUnixFileMode(root) | UnixFileMode.OtherExecute);
        for (var dir = Directory.GetParent(root); dir is not null; dir = dir.Parent)
            if ((File.GetUnixFileMode(dir.FullName) & UnixFileMode.OtherExecute) == 0)
                throw new EmbeddedPostgresException(
                    $"Running as root, the embedded PostgreSQL runs as the '{SystemUser.PostgresUser}' user, which cannot enter {dir.FullName}; " +
                    "set AlignLab:Embedded:Root to a folder it can reach (the default for root is /var/lib/alignlab).");
    }

    private static async Task ChangeOwnerAsync(string path)
    {
        var result = await ProcessRunner.RunAsync("chown", ["-R", $"{SystemUser.PostgresUser}:{SystemUser.PostgresUser}", path],
            asPostgresUser: false, ToolTimeout, throwOnError: false);
        if (result.ExitCode != 0)
            throw new EmbeddedPostgresException(
                $"Running as root, initdb and pg_ctl must run as the '{SystemUser.PostgresUser}' system user, and giving it {path} failed: " +
                $"{result.Output.Trim()} (install the postgresql package, which creates that user, or run AlignLab as a normal user).");
    }

    private static string FindBinDirectory(string? configured)
    {
        if (!string.IsNullOrWhiteSpace(configured))
            return File.Exists(Path.Combine(configured, "initdb"))
                ? configured
                : throw new EmbeddedPostgresException($"AlignLab:Embedded:BinDirectory {configured} has no initdb.");
        const string debianRoot = "/usr/lib/postgresql";
        if (Directory.Exists(debianRoot))
        {
            var newest = Directory.GetDirectories(debianRoot)
                .Select(d => (Dir: Path.Combine(d, "bin"), Version: int.TryParse(Path.GetFileName(d), out var v) ? v : 0))
                .Where(d => File.Exists(Path.Combine(d.Dir, "initdb")))
                .OrderByDescending(d => d.Version)
                .FirstOrDefault();
            if (newest.Dir is not null) return newest.Dir;
        }
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .FirstOrDefault(d => d.Length > 0 && File.Exists(Path.Combine(d, "initdb")));
        return onPath ?? throw new EmbeddedPostgresException(
            "No PostgreSQL server install found (looked in /usr/lib/postgresql/*/bin and PATH). " +
            "Install it (Debian/Ubuntu: apt-get install postgresql) or set ConnectionStrings:AlignLab to an existing server.");
    }

    private static string DataDirectoryOf(string root) => Path.Combine(root, "postgres");
    private static string StateFileOf(string root) => Path.Combine(root, "postgres.json");

    private static string RandomPassword() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool IsPortFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static string Tail(string path)
    {
        try { return string.Join('\n', File.ReadLines(path).TakeLast(15)); }
        catch (IOException) { return ""; }
        catch (UnauthorizedAccessException) { return ""; }
    }
}
