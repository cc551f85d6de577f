using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace AlignLab.Training.Weights;

/// <summary>Writes tensors as safetensors (header padded to 8 bytes, as Hugging Face's writer does),
/// single-file or sharded with a model.safetensors.index.json. Files are written beside their final
/// name and renamed into place, so a reader never sees half a file.</summary>
public static class SafetensorsWriter
{
    public const string SingleFileName = "model.safetensors";
    public const string IndexFileName = "model.safetensors.index.json";

    public static void Write(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var ordered = tensors.OrderBy(t => t.Key, StringComparer.Ordinal).ToList();
        var header = new JsonObject();
        var meta = new JsonObject { ["format"] = "pt" };
        foreach (var (key, value) in metadata ?? new Dictionary<string, string>()) meta[key] = value;
        header["__metadata__"] = meta;
        long offset = 0;
        foreach (var (name, tensor) in ordered)
        {
            var bytes = tensor.NumberOfElements * tensor.ElementSize;
            header[name] = new JsonObject
            {
                ["dtype"] = SafetensorsDType.NameOf(tensor.dtype),
                ["shape"] = new JsonArray(tensor.shape.Select(d => (JsonNode)d).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + bytes),
            };
            offset += bytes;
        }
        var headerBytes = Encoding.UTF8.GetBytes(header.ToJsonString());
        var padded = (headerBytes.Length + 7) / 8 * 8;

        var temporary = path + ".partial";
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            file.Write(BitConverter.GetBytes((ulong)padded));
            file.Write(headerBytes);
            for (int i = headerBytes.Length; i < padded; i++) file.WriteByte((byte)' ');
            foreach (var (_, tensor) in ordered)
            {
                using var cpu = tensor.detach().cpu().contiguous();
                cpu.WriteBytesToStream(file, 1 << 20);
            }
        }
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Writes <c>model.safetensors</c>, or shards of at most <paramref name="maxShardBytes"/> with an index.</summary>
    public static void WriteCheckpoint(string folder, IReadOnlyDictionary<string, Tensor> tensors, long maxShardBytes = 5L << 30)
    {
        Directory.CreateDirectory(folder);
        var total = tensors.Values.Sum(t => t.NumberOfElements * t.ElementSize);
        if (total <= maxShardBytes)
        {
            Write(Path.Combine(folder, SingleFileName), tensors);
            return;
        }
        var shards = new List<Dictionary<string, Tensor>> { new() };
        long current = 0;
        foreach (var (name, tensor) in tensors.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            var bytes = tensor.NumberOfElements * tensor.ElementSize;
            if (current > 0 && current + bytes > maxShardBytes)
            {
                shards.Add(new());
                current = 0;
            }
            shards[^1][name] = tensor;
            current += bytes;
        }
        var weightMap = new JsonObject();
        for (int i = 0; i < shards.Count; i++)
        {
            var file = $"model-{i + 1:D5}-of-{shards.Count:D5}.safetensors";
            Write(Path.Combine(folder, file), shards[i]);
            foreach (var name in shards[i].Keys.Order(StringComparer.Ordinal)) weightMap[name] = file;
        }
        var index = new JsonObject { ["metadata"] = new JsonObject { ["total_size"] = total }, ["weight_map"] = weightMap };
        File.WriteAllText(Path.Combine(folder, IndexFileName), index.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }
}
