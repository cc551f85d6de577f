using System.Text.Json;
using System.Text.Json.Nodes;

namespace AlignLab.Training.Ppo;

/// <summary>The sample generations a PPO run stores for its run page (JSON Lines: step, prompt, input, response,
/// reward). A resumed run first drops what the interrupted attempt wrote after its checkpoint, and any line a kill
/// cut short, so every stored step appears once.</summary>
public sealed class SampleLog(string path)
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

    public void Append(long step, IEnumerable<PpoSample> samples, IReadOnlyList<double[]> scores)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        using var writer = File.AppendText(Path);
        foreach (var (sample, i) in samples.Select((s, i) => (s, i)))
            writer.WriteLine(JsonSerializer.Serialize(new { step, prompt = sample.Instruction, sample.Input, response = sample.ResponseText, reward = scores[i].Sum() }, Json));
    }

    private static long? StepOf(string line)
    {
        try { return JsonNode.Parse(line)?["step"]?.GetValue<long>(); }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException) { return null; }
    }
}
