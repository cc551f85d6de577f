using System.Text.Json;

namespace AlignLab.Data.Embedded;

/// <summary>What a later start needs to reuse the cluster: its port and the password of its superuser.
/// Kept beside the cluster in a file only the owning user can read.</summary>
internal sealed record ClusterState(int Port, string User, string Password)
{
    public static ClusterState? Read(string path) =>
        File.Exists(path) ? JsonSerializer.Deserialize<ClusterState>(File.ReadAllText(path)) : null;

    public void Write(string path)
    {
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(this));
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(temporary, path, overwrite: true);
    }
}
