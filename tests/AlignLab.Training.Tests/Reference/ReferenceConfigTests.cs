using AlignLab.Testing.Reference;

namespace AlignLab.Training.Tests.Reference;

/// <summary>config.json fields and class defaults as in the transformers config classes.</summary>
public class ReferenceConfigTests
{
    [Fact]
    public void Llama_Defaults()
    {
        var c = ReferenceConfig.Parse("""{"model_type":"llama","hidden_size":64,"num_attention_heads":4}""");
        Assert.Equal(4, c.NumKeyValueHeads); // num_key_value_heads None -> num_attention_heads
        Assert.Equal(16, c.HeadDim); // head_dim None -> hidden_size // num_attention_heads
        Assert.Equal(32, c.NumLayers);
        Assert.Equal(11008, c.IntermediateSize);
        Assert.Equal(32000, c.VocabSize);
        Assert.Equal(1e-6, c.NormEps);
        Assert.Equal("silu", c.Activation);
        Assert.False(c.TieWordEmbeddings);
        Assert.False(c.QkvBias);
        Assert.False(c.OutputBias);
        Assert.False(c.MlpBias);
        Assert.Equal(new RopeSpec("default", 10000.0), c.Rope);
    }

    [Fact]
    public void Llama_AttentionBias_BiasesAllFourProjections_MlpBiasSeparately()
    {
        var c = ReferenceConfig.Parse("""{"model_type":"llama","hidden_size":8,"num_attention_heads":2,"attention_bias":true,"mlp_bias":true,"head_dim":6,"num_key_value_heads":null}""");
        Assert.True(c.QkvBias);
        Assert.True(c.OutputBias);
        Assert.True(c.MlpBias);
        Assert.Equal(6, c.HeadDim); // explicit head_dim wins over hidden/heads
        Assert.Equal(2, c.NumKeyValueHeads); // explicit null -> heads
    }

    [Fact]
    public void Mistral_Defaults_KvHeads8_SlidingWindow4096()
    {
        var c = ReferenceConfig.Parse("""{"model_type":"mistral","hidden_size":64,"num_attention_heads":8,"num_hidden_layers":2,"attention_bias":true}""");
        Assert.Equal(8, c.NumKeyValueHeads);
        Assert.Equal(14336, c.IntermediateSize);
        Assert.False(c.QkvBias); // MistralAttention has no biases at all
        Assert.False(c.OutputBias);
        Assert.All(c.SlidingWindowPerLayer, w => Assert.Equal(4096, w));
        var none = ReferenceConfig.Parse("""{"model_type":"mistral","hidden_size":64,"num_attention_heads":8,"num_hidden_layers":2,"sliding_window":null}""");
        Assert.All(none.SlidingWindowPerLayer, w => Assert.Null(w));
    }

    [Fact]
    public void Qwen2_QkvBiasAlways_NoOutputBias_NoSlidingByDefault()
    {
        var c = ReferenceConfig.Parse("""{"model_type":"qwen2","hidden_size":64,"num_attention_heads":32,"num_hidden_layers":2}""");
        Assert.True(c.QkvBias);
        Assert.False(c.OutputBias);
        Assert.Equal(32, c.NumKeyValueHeads); // Qwen2Config default
        Assert.Equal(151936, c.VocabSize);
        Assert.All(c.SlidingWindowPerLayer, w => Assert.Null(w));

        // use_sliding_window: layers >= max_window_layers slide.
        var s = ReferenceConfig.Parse("""{"model_type":"qwen2","hidden_size":64,"num_attention_heads":4,"num_key_value_heads":2,"num_hidden_layers":3,"use_sliding_window":true,"sliding_window":16,"max_window_layers":1}""");
        Assert.Equal(new int?[] { null, 16, 16 }, s.SlidingWindowPerLayer);
    }

    [Fact]
    public void Qwen3_HeadDimDefaultsTo128_NotHiddenOverHeads()
    {
        var c = ReferenceConfig.Parse("""{"model_type":"qwen3","hidden_size":64,"num_attention_heads":4,"num_key_value_heads":4}""");
        Assert.Equal(128, c.HeadDim);
        Assert.True(c.QkNorm);
        Assert.False(c.QkvBias);
        var b = ReferenceConfig.Parse("""{"model_type":"qwen3","hidden_size":64,"num_attention_heads":4,"num_key_value_heads":1,"head_dim":32,"attention_bias":true}""");
        Assert.Equal(32, b.HeadDim);
        Assert.True(b.QkvBias);
        Assert.True(b.OutputBias); // Qwen3 o_proj uses attention_bias too
    }

    [Fact]
    public void Gpt2_Defaults_And_NInner()
    {
        var c = ReferenceConfig.Parse("""{"model_type":"gpt2","n_embd":32,"n_head":4,"n_layer":2}""");
        Assert.Equal(128, c.IntermediateSize); // n_inner None -> 4 * n_embd
        Assert.Equal(8, c.HeadDim);
        Assert.Equal(1024, c.MaxPositionEmbeddings);
        Assert.Equal(1e-5, c.NormEps);
        Assert.Equal("gelu_new", c.Activation);
        Assert.True(c.TieWordEmbeddings);
        Assert.Equal(50257, c.VocabSize);
        var d = ReferenceConfig.Parse("""{"model_type":"gpt2","n_embd":32,"n_head":4,"n_layer":2,"n_inner":7}""");
        Assert.Equal(7, d.IntermediateSize);
    }

    [Fact]
    public void RopeScaling_Legacy_Type_Linear()
    {
        var c = ReferenceConfig.Parse("""{"model_type":"llama","hidden_size":8,"num_attention_heads":2,"rope_theta":500000,"rope_scaling":{"type":"linear","factor":4}}""");
        Assert.Equal(new RopeSpec("linear", 500000, Factor: 4), c.Rope);
    }

    [Fact]
    public void RopeScaling_Llama3()
    {
        var c = ReferenceConfig.Parse("""
            {"model_type":"llama","hidden_size":8,"num_attention_heads":2,"rope_theta":500000.0,
             "rope_scaling":{"rope_type":"llama3","factor":8.0,"low_freq_factor":1.0,"high_freq_factor":4.0,"original_max_position_embeddings":8192}}
            """);
        Assert.Equal(new RopeSpec("llama3", 500000, 8, 1, 4, 8192), c.Rope);
    }

    [Fact]
    public void RopeParameters_Transformers5Format()
    {
        // transformers 5 writes rope_parameters (with rope_theta inside) instead of rope_theta + rope_scaling.
        var c = ReferenceConfig.Parse("""{"model_type":"qwen3","hidden_size":8,"num_attention_heads":2,"num_key_value_heads":2,"head_dim":4,"rope_parameters":{"rope_type":"default","rope_theta":1000000.0}}""");
        Assert.Equal(new RopeSpec("default", 1000000), c.Rope);
    }

    [Theory]
    [InlineData("yarn")]
    [InlineData("dynamic")]
    [InlineData("longrope")]
    [InlineData("ntk")]
    public void UnsupportedRopeScaling_ThrowsNamingIt(string type)
    {
        var ex = Assert.Throws<NotSupportedException>(() => ReferenceConfig.Parse(
            "{\"model_type\":\"llama\",\"hidden_size\":8,\"num_attention_heads\":2,\"rope_scaling\":{\"rope_type\":\"" + type + "\",\"factor\":2.0}}"));
        Assert.Contains(type, ex.Message);
    }

    [Fact]
    public void KvHeadsMustDivideHeads_And_PartialRotaryIsRejected()
    {
        Assert.Throws<InvalidDataException>(() => ReferenceConfig.Parse("""{"model_type":"llama","hidden_size":12,"num_attention_heads":3,"num_key_value_heads":2}"""));
        Assert.Throws<NotSupportedException>(() => ReferenceConfig.Parse("""{"model_type":"llama","hidden_size":8,"num_attention_heads":2,"partial_rotary_factor":0.5}"""));
    }

    [Fact]
    public void UnsupportedModelType_Throws()
    {
        var ex = Assert.Throws<NotSupportedException>(() => ReferenceConfig.Parse("""{"model_type":"gemma"}"""));
        Assert.Contains("gemma", ex.Message);
    }
}
