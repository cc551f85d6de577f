using System.Buffers.Binary;
using AlignLab.Testing.Reference;

namespace AlignLab.Training.Tests.Reference;

public class SafeTensorsReaderTests
{
    [Fact]
    public void RoundTrip_F32_And_BF16_And_F16_And_F64()
    {
        using var dir = new TempModelFolder();
        string path = Path.Combine(dir.Path, "t.safetensors");
        // Values exactly representable in bfloat16 (8 significant bits) and float16.
        var exact = new[] { 1.0, -2.5, 0.15625, 3.0, -0.0078125, 96.0 };
        var f32 = new[] { 0.1, -1e-3, 12345.678 }; // not exact in float32: expect (double)(float)v
        SafeTensorsTestWriter.Write(
            path,
            [
                new TestTensor("a.f32", [2, 3], exact, "F32"),
                new TestTensor("b.bf16", [3, 2], exact, "BF16"),
                new TestTensor("c.f16", [6], exact, "F16"),
                new TestTensor("d.f64", [1, 3], f32, "F64"),
                new TestTensor("e.f32", [3], f32, "F32"),
            ],
            new Dictionary<string, string> { ["format"] = "pt" });

        var file = SafeTensorFile.Open(path);
        Assert.Equal("pt", file.Metadata["format"]);
        Assert.Equal(5, file.Tensors.Count);

        var a = file.Read("a.f32");
        Assert.Equal(new[] { 2, 3 }, a.Shape);
        Assert.Equal(exact, a.Data);
        var b = file.Read("b.bf16");
        Assert.Equal(new[] { 3, 2 }, b.Shape);
        Assert.Equal(exact, b.Data);
        Assert.Equal(exact, file.Read("c.f16").Data);
        Assert.Equal(f32, file.Read("d.f64").Data);
        Assert.Equal(f32.Select(v => (double)(float)v).ToArray(), file.Read("e.f32").Data);
    }

    [Fact]
    public void Bf16_IsTheUpperHalfOfFloat32()
    {
        // Hand-written bytes: 0x3FC0 = sign 0, exponent 0x7F, mantissa 0x40 -> 1.5; 0xC020 -> -2.5; 0x3E20 -> 0.15625.
        using var dir = new TempModelFolder();
        string path = Path.Combine(dir.Path, "raw.safetensors");
        string header = "{\"w\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[0,6]}}";
        header = header.PadRight((header.Length + 7) / 8 * 8);
        var bytes = new List<byte>();
        var len = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)header.Length);
        bytes.AddRange(len);
        bytes.AddRange(System.Text.Encoding.UTF8.GetBytes(header));
        bytes.AddRange(new byte[] { 0xC0, 0x3F, 0x20, 0xC0, 0x20, 0x3E });
        File.WriteAllBytes(path, bytes.ToArray());

        Assert.Equal(new[] { 1.5, -2.5, 0.15625 }, SafeTensorFile.Open(path).Read("w").Data);
    }

    [Fact]
    public void Bf16Writer_RoundsToNearest()
    {
        // bf16 keeps 7 mantissa bits, so the spacing at 1 is 2^-7: 1 + 2^-8 is the midpoint (ties to even -> 1.0,
        // 0x3F80) and 1 + 3*2^-9 is past it (rounds up to 1 + 2^-7, 0x3F81).
        Assert.Equal(0x3F80, SafeTensorsTestWriter.ToBf16Bits(1f + MathF.Pow(2, -8)));
        Assert.Equal(0x3F81, SafeTensorsTestWriter.ToBf16Bits(1f + (3 * MathF.Pow(2, -9))));
    }

    [Fact]
    public void Store_ReadsShardedIndex_AndChecksShapes()
    {
        using var dir = new TempModelFolder();
        var weights = new Dictionary<string, (int[] Shape, double[] Values)>
        {
            ["x"] = ([2], [1, 2]),
            ["y"] = ([1, 2], [3, 4]),
            ["z"] = ([1], [5]),
        };
        dir.WriteShardedWeights(weights, shards: 2);
        Assert.True(File.Exists(Path.Combine(dir.Path, "model-00001-of-00002.safetensors")));

        var store = SafeTensorStore.OpenFolder(dir.Path);
        Assert.Equal(new[] { "x", "y", "z" }, store.Names.OrderBy(n => n).ToArray());
        Assert.Equal(new double[] { 3, 4 }, store.Read("y", 1, 2));
        Assert.Equal(new double[] { 5 }, store.Read("z").Data);
        Assert.Throws<InvalidDataException>(() => store.Read("y", 2, 1));
        Assert.Throws<KeyNotFoundException>(() => store.Read("missing"));
    }

    [Fact]
    public void UnsupportedDtype_Throws()
    {
        using var dir = new TempModelFolder();
        string path = Path.Combine(dir.Path, "i.safetensors");
        string header = "{\"w\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}";
        var bytes = new List<byte>();
        var len = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)header.Length);
        bytes.AddRange(len);
        bytes.AddRange(System.Text.Encoding.UTF8.GetBytes(header));
        bytes.AddRange(new byte[8]);
        File.WriteAllBytes(path, bytes.ToArray());

        var ex = Assert.Throws<NotSupportedException>(() => SafeTensorFile.Open(path).Read("w"));
        Assert.Contains("I64", ex.Message);
    }
}
