namespace AlignLab.Testing;

/// <summary>Finds PostgreSQL server processes by their data directory, to prove none is left behind.</summary>
public static class PostgresProcesses
{
    /// <summary>Live postgres server processes whose command line names <paramref name="dataDirectory"/>.</summary>
    public static IReadOnlyList<int> Of(string dataDirectory) =>
        Directory.GetDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0)
            .Where(pid => pid > 0)
            .Where(pid =>
            {
                try { return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Contains($"-D {dataDirectory}"); }
                catch (IOException) { return false; }
                catch (UnauthorizedAccessException) { return false; }
            })
            .ToList();
}
