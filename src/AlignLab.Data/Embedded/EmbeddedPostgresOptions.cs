namespace AlignLab.Data.Embedded;

/// <summary>Configuration of the private PostgreSQL cluster (section AlignLab:Embedded).</summary>
public sealed class EmbeddedPostgresOptions
{
    public const string Section = "AlignLab:Embedded";

    /// <summary>Folder holding the cluster and its connection details. Default: $XDG_DATA_HOME/alignlab
    /// (~/.local/share/alignlab) for a user, /var/lib/alignlab for root.</summary>
    public string? Root { get; set; }

    /// <summary>Folder with initdb, pg_ctl and postgres. Default: the newest /usr/lib/postgresql/N/bin, or PATH.</summary>
    public string? BinDirectory { get; set; }

    /// <summary>Database the platform uses inside the cluster.</summary>
    public string Database { get; set; } = "alignlab";

    public string ResolveRoot() =>
        !string.IsNullOrWhiteSpace(Root) ? Path.GetFullPath(Root) : DefaultRoot();

    private static string DefaultRoot()
    {
        if (SystemUser.IsRoot) return "/var/lib/alignlab";
        var dataHome = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        if (string.IsNullOrWhiteSpace(dataHome))
            dataHome = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
        return Path.Combine(dataHome, "alignlab");
    }
}
