using System.Text;
using AlignLab.Training.Weights;
using static TorchSharp.torch;

namespace AlignLab.Training.Tests;

public class SafetensorsTests
{
    private static Dictionary<string, Tensor> Sample() => new()
    {
        ["a.weight"] = arange(12, dtype: ScalarType.Float32).view(3, 4),
        ["b.half"] = tensor(new float[] { 1.5f, -2.25f }).to(ScalarType.Float16),
        ["c.bf16"] = tensor(new float[] { 0.5f, 3f, -1f }).to(ScalarType.BFloat16),
        ["d.ids"] = tensor(new long[] { 7, 8, 9 }),
        ["e.scalar"] = tensor(4.0f),
    };

    [Fact]
    public void WrittenTensorsReadBackBitForBitWithDtypeAndShape()
    {
        var path = Path.Combine(TinyModels.TempFolder(), "x.safetensors");
        var sample = Sample();
        SafetensorsWriter.Write(path, sample, new Dictionary<string, string> { ["note"] = "hi" });

        var file = SafetensorsFile.Open(path);
        Assert.Equal("pt", file.Metadata["format"]);
        Assert.Equal("hi", file.Metadata["note"]);
        foreach (var (name, expected) in sample)
        {
            using var actual = file.Read(name);
            Assert.Equal(expected.dtype, actual.dtype);
            Assert.Equal(expected.shape, actual.shape);
            Assert.True(expected.eq(actual).all().item<bool>(), name);
        }
    }

    [Fact]
    public void TheLayoutIsTheOneHuggingFaceWrites()
    {
        var path = Path.Combine(TinyModels.TempFolder(), "x.safetensors");
        SafetensorsWriter.Write(path, new Dictionary<string, Tensor> { ["w"] = tensor(new float[] { 1, 2 }) });
        var bytes = File.ReadAllBytes(path);
        var headerLength = BitConverter.ToUInt64(bytes, 0);
        Assert.Equal(0UL, headerLength % 8);
        var header = Encoding.UTF8.GetString(bytes, 8, (int)headerLength).TrimEnd(' ');
        Assert.Contains("\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}", header);
        Assert.Equal(8 + (int)headerLength + 8, bytes.Length);
        Assert.Equal(1f, BitConverter.ToSingle(bytes, 8 + (int)headerLength));
        Assert.Equal(2f, BitConverter.ToSingle(bytes, 8 + (int)headerLength + 4));
    }

    [Fact]
    public void ShardedCheckpointsAreWrittenWithAnIndexAndLoadAsOne()
    {
        var folder = TinyModels.TempFolder();
        var sample = Sample();
        SafetensorsWriter.WriteCheckpoint(folder, sample, maxShardBytes: 40);

        Assert.True(File.Exists(Path.Combine(folder, SafetensorsWriter.IndexFileName)));
        Assert.True(Directory.GetFiles(folder, "model-*-of-*.safetensors").Length > 1);
        var checkpoint = SafetensorsCheckpoint.Open(folder);
        Assert.Equal(sample.Keys.Order(), checkpoint.Names.Order());
        using var a = checkpoint.Read("a.weight");
        Assert.True(a.eq(sample["a.weight"]).all().item<bool>());
    }

    [Fact]
    public void ATruncatedFileFailsNamingTheTensor()
    {
        var path = Path.Combine(TinyModels.TempFolder(), "x.safetensors");
        SafetensorsWriter.Write(path, Sample());
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^2]);

        var error = Assert.Throws<WeightsFormatException>(() => SafetensorsFile.Open(path));
        Assert.Contains("tensor 'e.scalar'", error.Message);
        Assert.Contains("truncated", error.Message);
    }

    [Theory]
    [InlineData("{\"t\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", "tensor 't': data_offsets [0, 8] do not hold 3 F32 (12 bytes)")]
    [InlineData("{\"t\":{\"dtype\":\"Q4\",\"shape\":[1],\"data_offsets\":[0,1]}}", "tensor 't': unsupported dtype Q4")]
    [InlineData("{\"t\":{\"dtype\":\"F32\"}}", "tensor 't': entry needs dtype, shape and data_offsets")]
    [InlineData("{not json", "header is not valid JSON")]
    public void CorruptHeadersFailClearly(string header, string message)
    {
        var path = Path.Combine(TinyModels.TempFolder(), "x.safetensors");
        var headerBytes = Encoding.UTF8.GetBytes(header);
        File.WriteAllBytes(path, [.. BitConverter.GetBytes((ulong)headerBytes.Length), .. headerBytes, .. new byte[16]]);
        Assert.Contains(message, Assert.Throws<WeightsFormatException>(() => SafetensorsFile.Open(path)).Message);
    }

    [Fact]
    public void AHeaderLengthBeyondTheFileIsRejected()
    {
        var path = Path.Combine(TinyModels.TempFolder(), "x.safetensors");
        File.WriteAllBytes(path, [.. BitConverter.GetBytes(1_000_000UL), 1, 2, 3]);
        Assert.Contains("does not fit a file of 11 bytes", Assert.Throws<WeightsFormatException>(() => SafetensorsFile.Open(path)).Message);
    }

    [Fact]
    public void AnIndexPointingAtAMissingShardFails()
    {
        var folder = TinyModels.TempFolder();
        SafetensorsWriter.WriteCheckpoint(folder, Sample(), maxShardBytes: 40);
        File.Delete(Directory.GetFiles(folder, "model-00001-*.safetensors").Single());
        Assert.Contains("which is missing", Assert.Throws<WeightsFormatException>(() => SafetensorsCheckpoint.Open(folder)).Message);
    }
}
