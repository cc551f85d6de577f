using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Training.Weights;

/// <summary>One .safetensors file: an 8-byte little-endian header length, a JSON header naming each tensor's
/// dtype, shape and byte range, then the raw little-endian data. The header is validated when the file is
/// opened; tensors are read one at a time straight from the file into tensor memory (no whole-file buffer).</summary>
public sealed class SafetensorsFile
{
    private const long MaxHeaderBytes = 100 << 20;
    private const int CopyBufferBytes = 1 << 20;

    private SafetensorsFile(string path, long dataStart, IReadOnlyDictionary<string, TensorEntry> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        Path = path;
        _dataStart = dataStart;
        Tensors = tensors;
        Metadata = metadata;
    }

    private readonly long _dataStart;

    public string Path { get; }
    public IReadOnlyDictionary<string, TensorEntry> Tensors { get; }
    public IReadOnlyDictionary<string, string> Metadata { get; }

    public sealed record TensorEntry(string Name, ScalarType DType, long[] Shape, long Begin, long End);

    public static SafetensorsFile Open(string path)
    {
        using var file = File.OpenRead(path);
        var length = file.Length;
        Span<byte> prefix = stackalloc byte[8];
        if (file.Read(prefix) != 8) throw new WeightsFormatException($"{path}: truncated: shorter than the 8-byte header length");
        var headerLength = BitConverter.ToUInt64(prefix);
        if (headerLength > MaxHeaderBytes || (long)headerLength > length - 8)
            throw new WeightsFormatException($"{path}: header length {headerLength} does not fit a file of {length} bytes (truncated or not safetensors)");
        var header = new byte[headerLength];
        file.ReadExactly(header);

        var tensors = new Dictionary<string, TensorEntry>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        JsonDocument json;
        try { json = JsonDocument.Parse(header); }
        catch (JsonException e) { throw new WeightsFormatException($"{path}: header is not valid JSON: {e.Message}"); }
        var dataStart = 8 + (long)headerLength;
        var dataLength = length - dataStart;
        using (json)
        {
            if (json.RootElement.ValueKind != JsonValueKind.Object) throw new WeightsFormatException($"{path}: header is not a JSON object");
            foreach (var property in json.RootElement.EnumerateObject())
            {
                if (property.Name == "__metadata__")
                {
                    foreach (var m in property.Value.EnumerateObject()) metadata[m.Name] = m.Value.ToString();
                    continue;
                }
                tensors[property.Name] = ParseEntry(path, property.Name, property.Value, dataLength);
            }
        }
        return new SafetensorsFile(path, dataStart, tensors, metadata);
    }

    /// <summary>Reads one tensor into new CPU memory.</summary>
    public Tensor Read(string name)
    {
        if (!Tensors.TryGetValue(name, out var entry)) throw new WeightsFormatException($"{Path}: no tensor named '{name}'");
        var tensor = empty(entry.Shape, entry.DType);
        if (entry.End > entry.Begin)
        {
            using var file = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            file.Position = _dataStart + entry.Begin;
            try { tensor.ReadBytesFromStream(file, CopyBufferBytes); }
            catch (EndOfStreamException) { tensor.Dispose(); throw new WeightsFormatException($"{Path}: tensor '{name}': file ends inside its data"); }
        }
        return tensor;
    }

    private static TensorEntry ParseEntry(string path, string name, JsonElement value, long dataLength)
    {
        string Where() => $"{path}: tensor '{name}'";
        if (value.ValueKind != JsonValueKind.Object
            || !value.TryGetProperty("dtype", out var dtypeNode) || dtypeNode.ValueKind != JsonValueKind.String
            || !value.TryGetProperty("shape", out var shapeNode) || shapeNode.ValueKind != JsonValueKind.Array
            || !value.TryGetProperty("data_offsets", out var offsetsNode) || offsetsNode.ValueKind != JsonValueKind.Array || offsetsNode.GetArrayLength() != 2)
            throw new WeightsFormatException($"{Where()}: entry needs dtype, shape and data_offsets [begin, end]");
        if (!SafetensorsDType.TryParse(dtypeNode.GetString()!, out var dtype, out var size))
            throw new WeightsFormatException($"{Where()}: unsupported dtype {dtypeNode.GetString()}");
        var shape = shapeNode.EnumerateArray().Select(d => d.TryGetInt64(out var v) && v >= 0 ? v
            : throw new WeightsFormatException($"{Where()}: shape must be non-negative integers")).ToArray();
        var begin = offsetsNode[0].GetInt64();
        var end = offsetsNode[1].GetInt64();
        var expected = shape.Aggregate(1L, (a, d) => checked(a * d)) * size;
        if (begin < 0 || end < begin || end - begin != expected)
            throw new WeightsFormatException($"{Where()}: data_offsets [{begin}, {end}] do not hold {string.Join('x', shape)} {dtypeNode.GetString()} ({expected} bytes)");
        if (end > dataLength)
            throw new WeightsFormatException($"{Where()}: data ends at byte {end} but the file holds {dataLength} bytes of data (truncated)");
        return new TensorEntry(name, dtype, shape, begin, end);
    }
}
