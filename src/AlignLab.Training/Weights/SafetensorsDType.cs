using TorchSharp;

namespace AlignLab.Training.Weights;

/// <summary>The safetensors dtype names and the TorchSharp scalar types they stand for.</summary>
public static class SafetensorsDType
{
    private static readonly (string Name, torch.ScalarType Type, int Size)[] Table =
    [
        ("F64", torch.ScalarType.Float64, 8),
        ("F32", torch.ScalarType.Float32, 4),
        ("F16", torch.ScalarType.Float16, 2),
        ("BF16", torch.ScalarType.BFloat16, 2),
        ("I64", torch.ScalarType.Int64, 8),
        ("I32", torch.ScalarType.Int32, 4),
        ("I16", torch.ScalarType.Int16, 2),
        ("I8", torch.ScalarType.Int8, 1),
        ("U8", torch.ScalarType.Byte, 1),
        ("BOOL", torch.ScalarType.Bool, 1),
    ];

    public static bool TryParse(string name, out torch.ScalarType type, out int size)
    {
        foreach (var entry in Table)
            if (entry.Name == name)
            {
                (type, size) = (entry.Type, entry.Size);
                return true;
            }
        (type, size) = (default, 0);
        return false;
    }

    public static string NameOf(torch.ScalarType type) =>
        Table.FirstOrDefault(e => e.Type == type).Name ?? throw new ArgumentException($"safetensors cannot store {type}");
}
