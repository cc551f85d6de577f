using System.Text.Json;
using AlignLab.Core.Text;

namespace AlignLab.Core.Tests;

public class JsonLinesTests
{
    private sealed record Row(int Index, string Text);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public void AWriterThatResumesCutsOffTheRowAKilledWriterLeftHalfWrittenAndReadersSkipIt()
    {
        var path = Path.Combine(Path.GetTempPath(), $"jsonlines-{Guid.NewGuid():N}", "rows.jsonl");
        using (var writer = JsonLines.Append(path))
            writer.WriteLine(JsonSerializer.Serialize(new Row(0, "kept"), Json));
        File.AppendAllText(path, "{\"index\":1,\"te");                       // killed in the middle of row 1
        Assert.Equal([new Row(0, "kept")], JsonLines.Read<Row>(path, Json));

        using (var writer = JsonLines.Append(path))
            writer.WriteLine(JsonSerializer.Serialize(new Row(1, "again"), Json));
        Assert.Equal(["{\"index\":0,\"text\":\"kept\"}", "{\"index\":1,\"text\":\"again\"}"], File.ReadAllLines(path));
        Assert.Equal([new Row(0, "kept"), new Row(1, "again")], JsonLines.Read<Row>(path, Json));
    }
}
