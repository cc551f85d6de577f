namespace AlignLab.Data.Embedded;

/// <summary>Who this process runs as. initdb and pg_ctl refuse to run as root, so as root the cluster is
/// owned and run by the <c>postgres</c> system user that Debian's postgresql package creates.</summary>
internal static class SystemUser
{
    public const string PostgresUser = "postgres";

    public static bool IsRoot => OperatingSystem.IsLinux() && Environment.IsPrivilegedProcess;
}
