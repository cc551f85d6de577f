using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace AlignLab.Training.Tests.Reference;

/// <summary>One tensor to write: name, safetensors dtype, shape and values (converted to the dtype on write).</summary>
public sealed record TestTensor(string Name, int[] Shape, double[] Values, string DType = "F32");

/// <summary>
/// Tiny safetensors writer for tests (independent of the reader): 8-byte LE header length, JSON header padded
/// with spaces to a multiple of 8, then the tensors back to back.
/// </summary>
public static class SafeTensorsTestWriter
{
    public static void Write(string path, IEnumerable<TestTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var header = new Dictionary<string, object>();
        if (metadata is not null)
        {
            header["__metadata__"] = metadata;
        }

        var blobs = new List<byte[]>();
        long offset = 0;
        foreach (var t in tensors)
        {
            long count = t.Shape.Aggregate(1L, (a, d) => a * d);
            if (count != t.Values.Length)
            {
                throw new ArgumentException($"{t.Name}: shape has {count} elements, values {t.Values.Length}.");
            }

            byte[] blob = Encode(t.Values, t.DType);
            header[t.Name] = new Dictionary<string, object>
            {
                ["dtype"] = t.DType,
                ["shape"] = t.Shape,
                ["data_offsets"] = new[] { offset, offset + blob.Length },
            };
            offset += blob.Length;
            blobs.Add(blob);
        }

        var json = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(header));
        int padded = (json.Length + 7) / 8 * 8;
        using var fs = File.Create(path);
        var len = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)padded);
        fs.Write(len);
        fs.Write(json);
        for (int i = json.Length; i < padded; i++)
        {
            fs.WriteByte((byte)' ');
        }

        foreach (var b in blobs)
        {
            fs.Write(b);
        }
    }

    /// <summary>Round-to-nearest-even float32 -> bfloat16 bits.</summary>
    public static ushort ToBf16Bits(float f)
    {
        uint bits = BitConverter.SingleToUInt32Bits(f);
        uint rounding = 0x7FFF + ((bits >> 16) & 1);
        return (ushort)((bits + rounding) >> 16);
    }

    private static byte[] Encode(double[] values, string dtype)
    {
        switch (dtype)
        {
            case "F64":
                {
                    var b = new byte[values.Length * 8];
                    for (int i = 0; i < values.Length; i++)
                    {
                        BinaryPrimitives.WriteDoubleLittleEndian(b.AsSpan(i * 8), values[i]);
                    }

                    return b;
                }

            case "F32":
                {
                    var b = new byte[values.Length * 4];
                    for (int i = 0; i < values.Length; i++)
                    {
                        BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(i * 4), (float)values[i]);
                    }

                    return b;
                }

            case "BF16":
                {
                    var b = new byte[values.Length * 2];
                    for (int i = 0; i < values.Length; i++)
                    {
                        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(i * 2), ToBf16Bits((float)values[i]));
                    }

                    return b;
                }

            case "F16":
                {
                    var b = new byte[values.Length * 2];
                    for (int i = 0; i < values.Length; i++)
                    {
                        BinaryPrimitives.WriteHalfLittleEndian(b.AsSpan(i * 2), (Half)values[i]);
                    }

                    return b;
                }

            default:
                throw new ArgumentException($"test writer: unsupported dtype {dtype}");
        }
    }
}

/// <summary>A temporary Hugging Face style model folder (config.json + safetensors) deleted on dispose.</summary>
public sealed class TempModelFolder : IDisposable
{
    public TempModelFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "alignlab-ref-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public TempModelFolder WriteConfig(object config)
    {
        File.WriteAllText(System.IO.Path.Combine(Path, "config.json"), JsonSerializer.Serialize(config));
        return this;
    }

    public TempModelFolder WriteConfigJson(string json)
    {
        File.WriteAllText(System.IO.Path.Combine(Path, "config.json"), json);
        return this;
    }

    /// <summary>Writes model.safetensors with every tensor in <paramref name="dtype"/>.</summary>
    public TempModelFolder WriteWeights(IReadOnlyDictionary<string, (int[] Shape, double[] Values)> weights, string dtype = "F32")
    {
        SafeTensorsTestWriter.Write(
            System.IO.Path.Combine(Path, "model.safetensors"),
            weights.Select(kv => new TestTensor(kv.Key, kv.Value.Shape, kv.Value.Values, dtype)));
        return this;
    }

    /// <summary>Writes the weights as <paramref name="shards"/> files plus model.safetensors.index.json.</summary>
    public TempModelFolder WriteShardedWeights(IReadOnlyDictionary<string, (int[] Shape, double[] Values)> weights, int shards, string dtype = "F32")
    {
        var names = weights.Keys.ToList();
        var map = new Dictionary<string, string>();
        for (int s = 0; s < shards; s++)
        {
            string file = $"model-{s + 1:00000}-of-{shards:00000}.safetensors";
            var mine = names.Where((_, i) => i % shards == s).ToList();
            SafeTensorsTestWriter.Write(
                System.IO.Path.Combine(Path, file),
                mine.Select(n => new TestTensor(n, weights[n].Shape, weights[n].Values, dtype)));
            foreach (var n in mine)
            {
                map[n] = file;
            }
        }

        File.WriteAllText(
            System.IO.Path.Combine(Path, "model.safetensors.index.json"),
            JsonSerializer.Serialize(new { metadata = new { total_size = 0 }, weight_map = map }));
        return this;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
