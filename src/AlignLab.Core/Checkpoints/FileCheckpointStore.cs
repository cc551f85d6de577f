using System.Globalization;

namespace AlignLab.Core.Checkpoints;

/// <summary>Checkpoints of one run as folders step-NNNNNNNNNN under the run's artifact folder. A checkpoint is
/// written into a temporary folder and renamed into place, so a crash mid-write never leaves a partial one
/// where <see cref="Latest"/> would find it. The newest <see cref="Keep"/> are kept.</summary>
public sealed class FileCheckpointStore(string directory) : ICheckpointStore
{
    public const int Keep = 3;
    private const string Prefix = "step-";

    public string Directory { get; } = directory;

    public Checkpoint? Latest() => All().LastOrDefault();

    public async Task<Checkpoint> SaveAsync(long step, Func<string, Task> write, CancellationToken cancellationToken = default)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var temporary = Path.Combine(Directory, $".{Prefix}{step}.{Guid.NewGuid():N}.partial");
        System.IO.Directory.CreateDirectory(temporary);
        try
        {
            await write(temporary);
            cancellationToken.ThrowIfCancellationRequested();
            var final = Path.Combine(Directory, Prefix + step.ToString("D10", CultureInfo.InvariantCulture));
            if (System.IO.Directory.Exists(final)) System.IO.Directory.Delete(final, recursive: true);
            System.IO.Directory.Move(temporary, final);
            foreach (var old in All().SkipLast(Keep)) System.IO.Directory.Delete(old.Directory, recursive: true);
            return new Checkpoint(step, final);
        }
        finally
        {
            if (System.IO.Directory.Exists(temporary)) System.IO.Directory.Delete(temporary, recursive: true);
        }
    }

    private IEnumerable<Checkpoint> All()
    {
        if (!System.IO.Directory.Exists(Directory)) return [];
        return System.IO.Directory.GetDirectories(Directory, Prefix + "*")
            .Select(d => (Dir: d, Ok: long.TryParse(Path.GetFileName(d).AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var s), Step: s))
            .Where(c => c.Ok)
            .OrderBy(c => c.Step)
            .Select(c => new Checkpoint(c.Step, c.Dir));
    }
}
