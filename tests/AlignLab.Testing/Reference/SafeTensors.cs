using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace AlignLab.Testing.Reference;

/// <summary>One tensor entry of a safetensors header.</summary>
/// <param name="Name">Tensor name.</param>
/// <param name="DType">Safetensors dtype string ("F32", "BF16", ...).</param>
/// <param name="Shape">Shape, outermost dimension first.</param>
/// <param name="Begin">Start offset (inclusive) relative to the end of the header.</param>
/// <param name="End">End offset (exclusive) relative to the end of the header.</param>
public sealed record SafeTensorInfo(string Name, string DType, int[] Shape, long Begin, long End)
{
    /// <summary>Number of elements (product of the shape; 1 for a scalar).</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, d) => a * d);
}

/// <summary>A tensor read into float64: row-major data plus its shape.</summary>
public sealed record DoubleTensor(double[] Data, int[] Shape);

/// <summary>
/// Minimal independent reader for one .safetensors file: 8-byte little-endian header length N, then N bytes
/// of UTF-8 JSON ({"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}}), then the
/// raw little-endian tensor bytes; data_offsets are relative to the first byte after the header.
/// F64, F32, BF16 and F16 are converted to double; anything else throws <see cref="NotSupportedException"/>.
/// </summary>
public sealed class SafeTensorFile
{
    private SafeTensorFile(string path, long dataStart, Dictionary<string, SafeTensorInfo> tensors, Dictionary<string, string> metadata)
    {
        FilePath = path;
        DataStart = dataStart;
        Tensors = tensors;
        Metadata = metadata;
    }

    /// <summary>Path of the file.</summary>
    public string FilePath { get; }

    /// <summary>Absolute file offset of the first data byte (8 + header length).</summary>
    public long DataStart { get; }

    /// <summary>Header entries by tensor name.</summary>
    public IReadOnlyDictionary<string, SafeTensorInfo> Tensors { get; }

    /// <summary>The optional "__metadata__" string map.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Bytes per element for the dtypes this reader converts.</summary>
    public static int ElementSize(string dtype) => dtype switch
    {
        "F64" => 8,
        "F32" => 4,
        "BF16" or "F16" => 2,
        _ => throw new NotSupportedException($"safetensors dtype '{dtype}' is not supported by the reference reader (F64, F32, BF16, F16 only)."),
    };

    /// <summary>Parses the header of <paramref name="path"/>.</summary>
    public static SafeTensorFile Open(string path)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        Span<byte> lenBytes = stackalloc byte[8];
        fs.ReadExactly(lenBytes);
        ulong headerLen = BinaryPrimitives.ReadUInt64LittleEndian(lenBytes);
        if (headerLen == 0 || headerLen > 100_000_000UL || (long)headerLen > fs.Length - 8)
        {
            throw new InvalidDataException($"{path}: implausible safetensors header length {headerLen}.");
        }

        var header = new byte[(int)headerLen];
        fs.ReadExactly(header);
        long dataStart = 8 + (long)headerLen;
        long dataLength = fs.Length - dataStart;

        var tensors = new Dictionary<string, SafeTensorInfo>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        using var doc = JsonDocument.Parse(Encoding.UTF8.GetString(header).TrimEnd(' ', '\0'));
        foreach (var prop in doc.RootElement.EnumerateObject())
        {
            if (prop.Name == "__metadata__")
            {
                if (prop.Value.ValueKind == JsonValueKind.Object)
                {
                    foreach (var m in prop.Value.EnumerateObject())
                    {
                        metadata[m.Name] = m.Value.ValueKind == JsonValueKind.String ? m.Value.GetString()! : m.Value.GetRawText();
                    }
                }
                continue;
            }

            string dtype = prop.Value.GetProperty("dtype").GetString()!;
            int[] shape = prop.Value.GetProperty("shape").EnumerateArray().Select(e => checked((int)e.GetInt64())).ToArray();
            var offsets = prop.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0] || offsets[1] > dataLength)
            {
                throw new InvalidDataException($"{path}: tensor '{prop.Name}' has invalid data_offsets.");
            }

            var info = new SafeTensorInfo(prop.Name, dtype, shape, offsets[0], offsets[1]);
            if (dtype is "F64" or "F32" or "BF16" or "F16" && info.ElementCount * ElementSize(dtype) != offsets[1] - offsets[0])
            {
                throw new InvalidDataException(
                    $"{path}: tensor '{prop.Name}' ({dtype} [{string.Join(",", shape)}]) spans {offsets[1] - offsets[0]} bytes, expected {info.ElementCount * ElementSize(dtype)}.");
            }

            tensors.Add(prop.Name, info);
        }

        return new SafeTensorFile(path, dataStart, tensors, metadata);
    }

    /// <summary>Reads tensor <paramref name="name"/> and converts it to double.</summary>
    public DoubleTensor Read(string name)
    {
        if (!Tensors.TryGetValue(name, out var info))
        {
            throw new KeyNotFoundException($"{FilePath}: no tensor named '{name}'.");
        }

        _ = ElementSize(info.DType); // throws for unsupported dtypes
        long byteCount = info.End - info.Begin;
        if (byteCount > Array.MaxLength)
        {
            throw new NotSupportedException($"{FilePath}: tensor '{name}' is too large for the reference reader.");
        }

        var bytes = new byte[byteCount];
        using (var fs = new FileStream(FilePath, FileMode.Open, FileAccess.Read, FileShare.Read))
        {
            fs.Seek(DataStart + info.Begin, SeekOrigin.Begin);
            fs.ReadExactly(bytes);
        }

        var data = new double[info.ElementCount];
        ReadOnlySpan<byte> src = bytes;
        switch (info.DType)
        {
            case "F64":
                for (int i = 0; i < data.Length; i++)
                {
                    data[i] = BinaryPrimitives.ReadDoubleLittleEndian(src.Slice(i * 8, 8));
                }
                break;
            case "F32":
                for (int i = 0; i < data.Length; i++)
                {
                    data[i] = BinaryPrimitives.ReadSingleLittleEndian(src.Slice(i * 4, 4));
                }
                break;
            case "BF16":
                // bfloat16 is the upper 16 bits of an IEEE float32.
                for (int i = 0; i < data.Length; i++)
                {
                    uint bits = (uint)BinaryPrimitives.ReadUInt16LittleEndian(src.Slice(i * 2, 2)) << 16;
                    data[i] = BitConverter.UInt32BitsToSingle(bits);
                }
                break;
            case "F16":
                for (int i = 0; i < data.Length; i++)
                {
                    data[i] = (double)BinaryPrimitives.ReadHalfLittleEndian(src.Slice(i * 2, 2));
                }
                break;
            default:
                throw new NotSupportedException($"safetensors dtype '{info.DType}' is not supported by the reference reader.");
        }

        return new DoubleTensor(data, (int[])info.Shape.Clone());
    }
}

/// <summary>
/// All tensors of a Hugging Face model folder: model.safetensors.index.json (sharded, "weight_map"), else
/// model.safetensors, else every *.safetensors file in the folder.
/// </summary>
public sealed class SafeTensorStore
{
    private readonly Dictionary<string, SafeTensorFile> _byName = new(StringComparer.Ordinal);

    private SafeTensorStore()
    {
    }

    /// <summary>All tensor names.</summary>
    public IEnumerable<string> Names => _byName.Keys;

    /// <summary>Opens the safetensors file(s) of <paramref name="folder"/>.</summary>
    public static SafeTensorStore OpenFolder(string folder)
    {
        var store = new SafeTensorStore();
        string index = Path.Combine(folder, "model.safetensors.index.json");
        string single = Path.Combine(folder, "model.safetensors");
        if (File.Exists(index))
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(index));
            var files = new Dictionary<string, SafeTensorFile>(StringComparer.Ordinal);
            foreach (var entry in doc.RootElement.GetProperty("weight_map").EnumerateObject())
            {
                string file = entry.Value.GetString()!;
                if (!files.TryGetValue(file, out var st))
                {
                    st = SafeTensorFile.Open(Path.Combine(folder, file));
                    files.Add(file, st);
                }

                if (!st.Tensors.ContainsKey(entry.Name))
                {
                    throw new InvalidDataException($"{index}: '{entry.Name}' is mapped to {file}, which does not contain it.");
                }

                store._byName[entry.Name] = st;
            }
        }
        else if (File.Exists(single))
        {
            store.AddFile(SafeTensorFile.Open(single));
        }
        else
        {
            var files = Directory.GetFiles(folder, "*.safetensors").OrderBy(f => f, StringComparer.Ordinal).ToArray();
            if (files.Length == 0)
            {
                throw new FileNotFoundException($"No model.safetensors, model.safetensors.index.json or *.safetensors in {folder}.");
            }

            foreach (var f in files)
            {
                store.AddFile(SafeTensorFile.Open(f));
            }
        }

        return store;
    }

    private void AddFile(SafeTensorFile file)
    {
        foreach (var name in file.Tensors.Keys)
        {
            if (!_byName.TryAdd(name, file))
            {
                throw new InvalidDataException($"Tensor '{name}' appears in more than one safetensors file.");
            }
        }
    }

    /// <summary>True when a tensor of that name exists.</summary>
    public bool Contains(string name) => _byName.ContainsKey(name);

    /// <summary>Header info of a tensor.</summary>
    public SafeTensorInfo Info(string name) => _byName.TryGetValue(name, out var f)
        ? f.Tensors[name]
        : throw new KeyNotFoundException($"Model has no tensor named '{name}'.");

    /// <summary>Reads a tensor as double.</summary>
    public DoubleTensor Read(string name) => _byName.TryGetValue(name, out var f)
        ? f.Read(name)
        : throw new KeyNotFoundException($"Model has no tensor named '{name}'.");

    /// <summary>Reads a tensor and checks its shape.</summary>
    public double[] Read(string name, params int[] expectedShape)
    {
        var t = Read(name);
        if (!t.Shape.SequenceEqual(expectedShape))
        {
            throw new InvalidDataException(
                $"Tensor '{name}' has shape [{string.Join(",", t.Shape)}] but the config implies [{string.Join(",", expectedShape)}].");
        }

        return t.Data;
    }
}
