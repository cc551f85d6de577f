using System.Text.Json;
using System.Text.Json.Nodes;

namespace AlignLab.Core.Runs;

/// <summary>A JSON Lines file a run appends to step by step, each line an object with a "step" (samples.jsonl,
/// rollout_stats.jsonl). A resumed run first drops what the interrupted attempt wrote after its checkpoint, and any
/// line a kill cut short, so every stored step appears once.</summary>
public sealed class StepLog(string path)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string Path { get; } = path;

    public void TruncateAfter(long step)
    {
        if (!File.Exists(Path)) return;
        var kept = File.ReadLines(Path).Where(line => StepOf(line) is { } s && s <= step).ToList();
        var temporary = Path + ".partial";
        File.WriteAllLines(temporary, kept);
        File.Move(temporary, Path, overwrite: true);
    }

    /// <summary>Appends one line per row; each row serialises to an object with a "step" property.</summary>
    public void Append<T>(IEnumerable<T> rows)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        using var writer = File.AppendText(Path);
        foreach (var row in rows) writer.WriteLine(JsonSerializer.Serialize(row, Json));
    }

    /// <summary>The rows of the file that parse; a line being written, or cut short by a kill, is skipped.</summary>
    public static IEnumerable<T> Read<T>(string path)
    {
        if (!File.Exists(path)) yield break;
        foreach (var line in File.ReadLines(path))
        {
            T? row;
            try { row = JsonSerializer.Deserialize<T>(line, Json); }
            catch (JsonException) { continue; }
            if (row is not null) yield return row;
        }
    }

    private static long? StepOf(string line)
    {
        try { return JsonNode.Parse(line)?["step"]?.GetValue<long>(); }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException) { return null; }
    }
}
