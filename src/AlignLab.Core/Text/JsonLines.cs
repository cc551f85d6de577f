using System.Text.Json;

namespace AlignLab.Core.Text;

/// <summary>A JSON Lines file that a job appends to, one row per line, flushed as it goes: a worker killed in the middle
/// of a row leaves that row cut short on the last line. Readers skip such a line; a writer that resumes cuts it off
/// first, so that its next row starts a line of its own.</summary>
public static class JsonLines
{
    /// <summary>The rows that parse, in order; a line cut short or garbled is left out.</summary>
    public static List<T> Read<T>(string path, JsonSerializerOptions options)
    {
        var rows = new List<T>();
        if (!File.Exists(path)) return rows;
        foreach (var line in File.ReadLines(path))
        {
            if (line.Length == 0) continue;
            try { if (JsonSerializer.Deserialize<T>(line, options) is { } row) rows.Add(row); }
            catch (JsonException) { }
        }
        return rows;
    }

    /// <summary>Opens the file for appending (creating it and its folder), after cutting off a last line that has no line end.</summary>
    public static StreamWriter Append(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        if (File.Exists(path))
            using (var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite))
            {
                var end = file.Length;
                while (end > 0)
                {
                    file.Position = end - 1;
                    if (file.ReadByte() == '\n') break;
                    end--;
                }
                file.SetLength(end);
            }
        return new StreamWriter(path, append: true);
    }
}
