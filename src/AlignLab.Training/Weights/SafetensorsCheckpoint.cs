using System.Text.Json;
using static TorchSharp.torch;

namespace AlignLab.Training.Weights;

/// <summary>The weights of a Hugging Face model folder: model.safetensors, or the shards listed by
/// model.safetensors.index.json.</summary>
public sealed class SafetensorsCheckpoint
{
    private readonly Dictionary<string, SafetensorsFile> _fileOf;

    private SafetensorsCheckpoint(Dictionary<string, SafetensorsFile> fileOf) => _fileOf = fileOf;

    public IReadOnlyCollection<string> Names => _fileOf.Keys;

    public SafetensorsFile.TensorEntry Entry(string name) => _fileOf[name].Tensors[name];

    public static SafetensorsCheckpoint Open(string folder)
    {
        var single = Path.Combine(folder, SafetensorsWriter.SingleFileName);
        var index = Path.Combine(folder, SafetensorsWriter.IndexFileName);
        var fileOf = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
        if (File.Exists(index))
        {
            Dictionary<string, string> weightMap;
            try
            {
                using var json = JsonDocument.Parse(File.ReadAllText(index));
                weightMap = json.RootElement.GetProperty("weight_map").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                throw new WeightsFormatException($"{index}: not a valid safetensors index ({e.Message})");
            }
            var shards = new Dictionary<string, SafetensorsFile>();
            foreach (var (name, shardName) in weightMap)
            {
                if (shardName.Contains('/') || shardName.Contains('\\') || shardName.Contains(".."))
                    throw new WeightsFormatException($"{index}: tensor '{name}' points outside the folder ({shardName})");
                if (!shards.TryGetValue(shardName, out var shard))
                {
                    var shardPath = Path.Combine(folder, shardName);
                    if (!File.Exists(shardPath)) throw new WeightsFormatException($"{index}: tensor '{name}' is in {shardName}, which is missing");
                    shards[shardName] = shard = SafetensorsFile.Open(shardPath);
                }
                if (!shard.Tensors.ContainsKey(name)) throw new WeightsFormatException($"{shard.Path}: the index puts tensor '{name}' here but the file lacks it");
                fileOf[name] = shard;
            }
        }
        else if (File.Exists(single))
        {
            var file = SafetensorsFile.Open(single);
            foreach (var name in file.Tensors.Keys) fileOf[name] = file;
        }
        else throw new WeightsFormatException($"{folder}: no {SafetensorsWriter.SingleFileName} or {SafetensorsWriter.IndexFileName}");
        return new SafetensorsCheckpoint(fileOf);
    }

    public Tensor Read(string name) =>
        _fileOf.TryGetValue(name, out var file) ? file.Read(name) : throw new WeightsFormatException($"no tensor named '{name}' in the checkpoint");
}
