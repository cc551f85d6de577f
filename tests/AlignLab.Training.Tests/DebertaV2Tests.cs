using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using AlignLab.Testing.Reference;
using AlignLab.Training.Models;
using AlignLab.Training.Models.Deberta;
using static TorchSharp.torch;

namespace AlignLab.Training.Tests;

/// <summary>Tiny random DeBERTa folders in Hugging Face layout (config.json + model.safetensors), written once per test class.</summary>
public sealed class DebertaFolders : IDisposable
{
    /// <summary>OpenAssistant's reward-model-deberta-v3-large-v2 in miniature: log buckets, layer-normed relative
    /// embeddings, shared attention keys, c2p + p2c, no absolute positions or token types, one label.</summary>
    public static JsonObject V3() => new()
    {
        ["model_type"] = "deberta-v2", ["architectures"] = new JsonArray("DebertaV2ForSequenceClassification"),
        ["vocab_size"] = 300, ["hidden_size"] = 32, ["num_hidden_layers"] = 2, ["num_attention_heads"] = 4, ["intermediate_size"] = 64,
        ["hidden_act"] = "gelu", ["max_position_embeddings"] = 64, ["relative_attention"] = true, ["position_buckets"] = 8,
        ["max_relative_positions"] = -1, ["norm_rel_ebd"] = "layer_norm", ["share_att_key"] = true, ["pos_att_type"] = new JsonArray("p2c", "c2p"),
        ["layer_norm_eps"] = 1e-7, ["position_biased_input"] = false, ["type_vocab_size"] = 0, ["pooler_hidden_size"] = 32,
        ["pooler_hidden_act"] = "gelu", ["pooler_dropout"] = 0, ["hidden_dropout_prob"] = 0.1, ["attention_probs_dropout_prob"] = 0.1,
        ["id2label"] = new JsonObject { ["0"] = "LABEL_0" },
    };

    /// <summary>The other paths: max_relative_positions 16 (buckets past the table clamp within 40 tokens), separate
    /// pos_key_proj/pos_query_proj, absolute positions, token types, embed_proj (embedding_size 24), no relative LayerNorm.</summary>
    public static JsonObject V2Variants()
    {
        var config = V3();
        config["max_relative_positions"] = 16;
        config["share_att_key"] = false;
        config["position_biased_input"] = true;
        config["type_vocab_size"] = 2;
        config["embedding_size"] = 24;
        config["norm_rel_ebd"] = "none";
        config["num_labels"] = 2;
        return config;
    }

    /// <summary>Plain relative positions (no buckets, span 8, so most distances clamp), c2p only in the old "a|b" string
    /// form (scale sqrt(2D)), tanh GELU, three labels.</summary>
    public static JsonObject LinearC2P()
    {
        var config = V3();
        config["position_buckets"] = -1;
        config["max_relative_positions"] = 8;
        config["pos_att_type"] = "c2p";
        config["hidden_act"] = "gelu_new";
        config["num_labels"] = 3;
        config.Remove("id2label");
        return config;
    }

    private readonly Dictionary<string, string> _folders = new()
    {
        ["v3"] = Write(V3(), seed: 1),
        ["v2-variants"] = Write(V2Variants(), seed: 2),
        ["linear-c2p"] = Write(LinearC2P(), seed: 3),
    };

    public string this[string name] => _folders[name];

    public void Dispose()
    {
        foreach (var folder in _folders.Values) Directory.Delete(folder, recursive: true);
    }

    /// <summary>Names and shapes of DebertaV2ForSequenceClassification's parameters, written from transformers' modules.</summary>
    public static IEnumerable<(string Name, int[] Shape)> HuggingFaceTensors(JsonObject c)
    {
        int C = (int)c["hidden_size"]!, I = (int)c["intermediate_size"]!, E = (int?)c["embedding_size"] ?? C;
        int maxRelative = (int)c["max_relative_positions"]! < 1 ? (int)c["max_position_embeddings"]! : (int)c["max_relative_positions"]!;
        int span = (int)c["position_buckets"]! > 0 ? (int)c["position_buckets"]! : maxRelative;
        var posAtt = c["pos_att_type"]!.ToJsonString();
        var labels = (int?)c["num_labels"] ?? (c["id2label"] as JsonObject)?.Count ?? 2;
        IEnumerable<(string, int[])> Linear(string name, int outputs, int inputs) => [($"{name}.weight", [outputs, inputs]), ($"{name}.bias", [outputs])];
        IEnumerable<(string, int[])> Norm(string name) => [($"{name}.weight", [C]), ($"{name}.bias", [C])];

        yield return ("deberta.embeddings.word_embeddings.weight", [(int)c["vocab_size"]!, E]);
        if ((bool)c["position_biased_input"]!) yield return ("deberta.embeddings.position_embeddings.weight", [(int)c["max_position_embeddings"]!, E]);
        if ((int)c["type_vocab_size"]! > 0) yield return ("deberta.embeddings.token_type_embeddings.weight", [(int)c["type_vocab_size"]!, E]);
        if (E != C) yield return ("deberta.embeddings.embed_proj.weight", [C, E]);
        foreach (var t in Norm("deberta.embeddings.LayerNorm")) yield return t;
        for (int l = 0; l < (int)c["num_hidden_layers"]!; l++)
        {
            var p = $"deberta.encoder.layer.{l}.";
            var linears = new List<(string, int, int)> { ("attention.self.query_proj", C, C), ("attention.self.key_proj", C, C), ("attention.self.value_proj", C, C) };
            if (!(bool)c["share_att_key"]! && posAtt.Contains("c2p")) linears.Add(("attention.self.pos_key_proj", C, C));
            if (!(bool)c["share_att_key"]! && posAtt.Contains("p2c")) linears.Add(("attention.self.pos_query_proj", C, C));
            linears.AddRange([("attention.output.dense", C, C), ("intermediate.dense", I, C), ("output.dense", C, I)]);
            foreach (var (name, o, i) in linears)
                foreach (var t in Linear(p + name, o, i)) yield return t;
            foreach (var t in Norm(p + "attention.output.LayerNorm").Concat(Norm(p + "output.LayerNorm"))) yield return t;
        }
        yield return ("deberta.encoder.rel_embeddings.weight", [2 * span, C]);
        if ((string)c["norm_rel_ebd"]! == "layer_norm")
            foreach (var t in Norm("deberta.encoder.LayerNorm")) yield return t;
        foreach (var t in Linear("pooler.dense", C, C).Concat(Linear("classifier", labels, C))) yield return t;
    }

    /// <summary>A folder with the config and random weights (std 0.2; LayerNorm weights around 1) in F32.</summary>
    public static string Write(JsonObject config, int seed)
    {
        var folder = Directory.CreateTempSubdirectory("alignlab-deberta-").FullName;
        File.WriteAllText(Path.Combine(folder, "config.json"), config.ToJsonString());
        var rng = new Random(seed);
        float Normal() => (float)(0.2 * Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()));
        var tensors = HuggingFaceTensors(config).Select(t => (t.Name, t.Shape,
            Values: Enumerable.Range(0, t.Shape.Aggregate(1, (a, d) => a * d)).Select(_ => (t.Name.EndsWith("LayerNorm.weight") ? 1 : 0) + Normal()).ToArray()));
        WriteSafetensors(Path.Combine(folder, "model.safetensors"), tensors.ToList());
        return folder;
    }

    /// <summary>safetensors: 8-byte little-endian header length, JSON header (space-padded to 8 bytes), raw F32 data.</summary>
    private static void WriteSafetensors(string path, List<(string Name, int[] Shape, float[] Values)> tensors)
    {
        var header = new JsonObject();
        long offset = 0;
        foreach (var (name, shape, values) in tensors)
        {
            header[name] = new JsonObject
            {
                ["dtype"] = "F32", ["shape"] = new JsonArray(shape.Select(d => (JsonNode?)d).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + 4L * values.Length),
            };
            offset += 4L * values.Length;
        }
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        var padded = (json.Length + 7) / 8 * 8;
        using var file = File.Create(path);
        var buffer = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(buffer, (ulong)padded);
        file.Write(buffer);
        file.Write(json);
        file.Write(Enumerable.Repeat((byte)' ', padded - json.Length).ToArray());
        foreach (var (_, _, values) in tensors)
            foreach (var v in values)
            {
                BinaryPrimitives.WriteSingleLittleEndian(buffer, v);
                file.Write(buffer, 0, 4);
            }
    }
}

public class DebertaV2Tests(DebertaFolders folders) : IClassFixture<DebertaFolders>
{
    private static readonly int[] Lengths = [3, 5, 9, 17, 40];

    private static (int[] Ids, int[] Types) Sequence(int length, int seed)
    {
        var rng = new Random(seed);
        return (Enumerable.Range(0, length).Select(_ => rng.Next(1, 300)).ToArray(), Enumerable.Range(0, length).Select(_ => rng.Next(2)).ToArray());
    }

    private static Tensor Longs(IEnumerable<int> values, long rows, long columns) => tensor(values.Select(v => (long)v).ToArray(), [rows, columns]);

    [Theory]
    [InlineData("v3")]
    [InlineData("v2-variants")]
    [InlineData("linear-c2p")]
    public void ScoresEqualTheFloat64Reference(string name)
    {
        using var model = DebertaV2ForSequenceClassification.Load(folders[name]);
        foreach (var length in Lengths)
        {
            var (ids, types) = Sequence(length, seed: length);
            var expected = ReferenceDeberta.Scores(folders[name], ids, types);
            using var scope = NewDisposeScope();
            var logits = model.Forward(Longs(ids, 1, length), tokenTypeIds: Longs(types, 1, length));           // (1, L)
            Assert.Equal(expected.Length, (int)logits.shape[1]);
            for (int label = 0; label < expected.Length; label++)
                Assert.Equal(expected[label], logits[0, label].item<float>(), 1e-4);
        }
    }

    [Theory]
    [InlineData("v3")]
    [InlineData("v2-variants")]
    public void PaddedRowsScoreAsTheirUnpaddedSequences(string name)
    {
        using var model = DebertaV2ForSequenceClassification.Load(folders[name]);
        const int T = 40;
        (int Length, bool Left)[] rows = [(40, false), (9, false), (3, false), (17, true)];
        var (ids, types, mask) = (new int[rows.Length * T], new int[rows.Length * T], new int[rows.Length * T]);
        for (int r = 0; r < rows.Length; r++)
        {
            var (seqIds, seqTypes) = Sequence(rows[r].Length, seed: 100 + r);
            var start = r * T + (rows[r].Left ? T - rows[r].Length : 0);
            seqIds.CopyTo(ids, start);
            seqTypes.CopyTo(types, start);
            Array.Fill(mask, 1, start, rows[r].Length);
        }
        using var scope = NewDisposeScope();
        var logits = model.Forward(Longs(ids, rows.Length, T), Longs(mask, rows.Length, T), Longs(types, rows.Length, T));   // (4, L)
        for (int r = 0; r < rows.Length; r++)
        {
            var (seqIds, seqTypes) = Sequence(rows[r].Length, seed: 100 + r);
            var expected = ReferenceDeberta.Scores(folders[name], seqIds, seqTypes);
            var alone = model.Forward(Longs(seqIds, 1, seqIds.Length), tokenTypeIds: Longs(seqTypes, 1, seqIds.Length));
            for (int label = 0; label < expected.Length; label++)
            {
                Assert.Equal(expected[label], logits[r, label].item<float>(), 1e-4);
                Assert.Equal(alone[0, label].item<float>(), logits[r, label].item<float>(), 1e-5);
            }
        }
    }

    [Fact]
    public void AStateDictionaryLoadsToTheSameScoresAndStrayTensorsAreNamed()
    {
        using var loaded = DebertaV2ForSequenceClassification.Load(folders["v3"]);
        using var fresh = new DebertaV2ForSequenceClassification(DebertaV2Config.FromJson(DebertaFolders.V3()));
        fresh.eval();
        using var scope = NewDisposeScope();
        var state = loaded.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        var ids = Longs(Sequence(12, seed: 7).Ids, 1, 12);
        Assert.NotEqual(loaded.Forward(ids).item<float>(), fresh.Forward(ids).item<float>());
        fresh.LoadWeights(state);
        Assert.Equal(loaded.Forward(ids).item<float>(), fresh.Forward(ids).item<float>());

        state["deberta.embeddings.position_ids"] = arange(64);                 // a buffer older checkpoints carry: skipped
        fresh.LoadWeights(state);
        state["cls.predictions.bias"] = zeros(300);
        Assert.Contains("cls.predictions.bias", Assert.Throws<Weights.WeightsFormatException>(() => fresh.LoadWeights(state)).Message);
    }

    // make_log_bucket_position with bucket_size 8 (mid 4) and max_position 64: |d| <= 4 keeps d; otherwise
    // sign(d) · (4 + ceil(ln(|d|/4) / ln(63/4) · 3)), ln(15.75) = 2.75681:
    //   d = 5:   ln(1.25)  = 0.22314 → 0.2428 → ceil 1 → 5        d = 10: ln(2.5)  = 0.91629 → 0.9971 → 1 → 5
    //   d = 11:  ln(2.75)  = 1.01160 → 1.1008 → 2 → 6             d = 25: ln(6.25) = 1.83258 → 1.9942 → 2 → 6
    //   d = 26:  ln(6.5)   = 1.87180 → 2.0369 → 3 → 7             d = −40: ln(10)  = 2.30259 → 2.5057 → 3 → −7
    //   d = 100: ln(25)    = 3.21888 → 3.5028 → 4 → 8 (past max_position: beyond the 2·mid − 1 = 7 of |d| = 63)
    // max_position 16: d = 8: ln(2)/ln(15/4) · 3 = 0.69315/1.32176 · 3 = 1.5732 → 2 → 6.
    // OpenAssistant's RM (256 buckets, mid 128, max_position 512; ln(511/128) = 1.38434):
    //   d = 129: ln(129/128) = 0.0077821 → ·127/1.38434 = 0.7139 → 1 → 129;  d = −200: ln(1.5625) = 0.44629 → 40.943 → 41 → −169
    [Theory]
    [InlineData(0, 8, 64, 0)]
    [InlineData(3, 8, 64, 3)]
    [InlineData(-4, 8, 64, -4)]
    [InlineData(5, 8, 64, 5)]
    [InlineData(-5, 8, 64, -5)]
    [InlineData(10, 8, 64, 5)]
    [InlineData(11, 8, 64, 6)]
    [InlineData(25, 8, 64, 6)]
    [InlineData(26, 8, 64, 7)]
    [InlineData(-40, 8, 64, -7)]
    [InlineData(100, 8, 64, 8)]
    [InlineData(8, 8, 16, 6)]
    [InlineData(128, 256, 512, 128)]
    [InlineData(129, 256, 512, 129)]
    [InlineData(-200, 256, 512, -169)]
    public void LogBucketsAreTheHandComputedOnes(int distance, int bucketSize, int maxPosition, int expected)
    {
        using var scope = NewDisposeScope();
        var bucket = DebertaRelativePosition.MakeLogBucketPosition(tensor(new long[] { distance }), bucketSize, maxPosition);
        Assert.Equal(expected, bucket[0].item<long>());
        Assert.Equal(expected, ReferenceDeberta.LogBucketPosition(distance, bucketSize, maxPosition));
    }

    // transformers buckets in float32; the reference in float64. They agree at every distance a 1024-token pass has, for
    // the test configs and for OpenAssistant's RM, so the reference checks the same buckets the model uses.
    [Theory]
    [InlineData(8, 64)]
    [InlineData(8, 16)]
    [InlineData(256, 512)]
    public void Float32BucketsEqualExactBuckets(int bucketSize, int maxPosition)
    {
        using var scope = NewDisposeScope();
        var distances = arange(-1023, 1024, dtype: ScalarType.Int64);
        var buckets = DebertaRelativePosition.MakeLogBucketPosition(distances, bucketSize, maxPosition).data<long>().ToArray();
        var mismatches = Enumerable.Range(-1023, 2047).Where(d => buckets[d + 1023] != ReferenceDeberta.LogBucketPosition(d, bucketSize, maxPosition)).ToList();
        Assert.Empty(mismatches);
    }

    [Theory]
    [InlineData("v3")]
    [InlineData("v2-variants")]
    [InlineData("linear-c2p")]
    public void ParametersAreHuggingFacesNamesAndShapes(string name)
    {
        var config = name switch { "v3" => DebertaFolders.V3(), "v2-variants" => DebertaFolders.V2Variants(), _ => DebertaFolders.LinearC2P() };
        using var model = new DebertaV2ForSequenceClassification(DebertaV2Config.FromJson(config));
        var expected = DebertaFolders.HuggingFaceTensors(config).ToDictionary(t => t.Name, t => t.Shape.Select(d => (long)d).ToArray());
        var state = model.state_dict();
        Assert.Equal(expected.Keys.Order(), state.Keys.Order());
        foreach (var (key, shape) in expected) Assert.Equal(shape, state[key].shape);
    }

    [Fact]
    public void OpenAssistantsConfigReadsAsDebertaV3()
    {
        var json = JsonNode.Parse("""
            {"model_type": "deberta-v2", "architectures": ["DebertaV2ForSequenceClassification"], "hidden_size": 1024,
             "num_hidden_layers": 24, "num_attention_heads": 16, "intermediate_size": 4096, "max_position_embeddings": 512,
             "relative_attention": true, "position_buckets": 256, "norm_rel_ebd": "layer_norm", "share_att_key": true,
             "pos_att_type": ["p2c", "c2p"], "layer_norm_eps": 1e-7, "max_relative_positions": -1, "position_biased_input": false,
             "type_vocab_size": 0, "vocab_size": 128100, "pooler_hidden_size": 1024, "pooler_hidden_act": "gelu", "pooler_dropout": 0,
             "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1, "initializer_range": 0.02,
             "id2label": {"0": "LABEL_0"}, "label2id": {"LABEL_0": 0}, "pad_token_id": 0, "torch_dtype": "float32"}
            """)!.AsObject();
        var config = DebertaV2Config.FromJson(json);
        Assert.Equal((1, 64, 256, 512, 3), (config.num_labels, config.HeadDim, config.AttentionSpan, config.MaxRelativePositions, config.ScaleFactor));
        Assert.True(config.NormaliseRelativeEmbeddings && config.ContentToPosition && config.PositionToContent);
        Assert.Equal("deberta-v2", config.ToJson()["model_type"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("conv_kernel_size", "3")]
    [InlineData("relative_attention", "false")]
    [InlineData("pos_att_type", """["c2p", "p2p"]""")]
    [InlineData("norm_rel_ebd", "\"batch_norm\"")]
    [InlineData("hidden_act", "\"silu\"")]
    [InlineData("pooler_hidden_size", "48")]
    public void UnsupportedFieldsAreRefusedByName(string field, string value)
    {
        var config = DebertaFolders.V3();
        config[field] = JsonNode.Parse(value);
        var refused = Assert.Throws<UnsupportedConfigException>(() => DebertaV2Config.FromJson(config));
        Assert.Equal(field, refused.Field);
        Assert.Contains(field, refused.Message);
        Assert.IsAssignableFrom<NotSupportedException>(refused);

        var folder = Directory.CreateTempSubdirectory("alignlab-deberta-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "config.json"), config.ToJsonString());
            Assert.Contains(field, Assert.Throws<UnsupportedConfigException>(() => DebertaV2ForSequenceClassification.Load(folder)).Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
