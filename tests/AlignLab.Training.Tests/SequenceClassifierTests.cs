using System.Text.Json.Nodes;
using AlignLab.Training.Models;
using AlignLab.Training.Models.Llama;
using static TorchSharp.torch;

namespace AlignLab.Training.Tests;

public class SequenceClassifierTests
{
    private static SequenceClassifier Gpt2Classifier()
    {
        var classifier = new SequenceClassifier(TinyModels.Gpt2(seed: 21));
        classifier.eval();
        return classifier;
    }

    [Fact]
    public void ParametersAreTheBackboneAndAScoreHeadUnderHuggingFaceNames()
    {
        using var classifier = Gpt2Classifier();
        var state = classifier.state_dict();
        Assert.Equal([1L, 32L], state["score.weight"].shape);
        Assert.Contains("transformer.h.1.attn.c_attn.weight", state.Keys);
        Assert.DoesNotContain(state.Keys, k => k.StartsWith("lm_head"));

        random.manual_seed(2);
        using var llama = new SequenceClassifier(new LlamaForCausalLM(new LlamaConfig
        {
            vocab_size = 61, hidden_size = 32, intermediate_size = 48, num_hidden_layers = 1, num_attention_heads = 4, max_position_embeddings = 64,
        }));
        Assert.Contains("model.layers.0.self_attn.q_proj.weight", llama.state_dict().Keys);
        Assert.DoesNotContain(llama.state_dict().Keys, k => k.StartsWith("lm_head"));
    }

    [Fact]
    public void TheRewardIsTheScoreOfTheLastRealTokenWhereverThePaddingIs()
    {
        using var classifier = Gpt2Classifier();
        using var scope = NewDisposeScope();
        var plain = classifier.Forward(tensor(new long[] { 5, 9, 17 }, [1, 3]));
        var right = classifier.Forward(tensor(new long[] { 5, 9, 17, 0, 0 }, [1, 5]), tensor(new long[] { 1, 1, 1, 0, 0 }, [1, 5]));
        var left = classifier.Forward(tensor(new long[] { 0, 0, 5, 9, 17 }, [1, 5]), tensor(new long[] { 0, 0, 1, 1, 1 }, [1, 5]));
        Assert.True(plain.allclose(right, atol: 1e-5));
        Assert.True(plain.allclose(left, atol: 1e-5));
        var perToken = classifier.Scores(tensor(new long[] { 5, 9, 17 }, [1, 3]));
        Assert.Equal(plain.item<float>(), perToken[0, 2, 0].item<float>(), 5);
    }

    [Fact]
    public void SavedAsAHuggingFaceClassifierItLoadsToTheSameRewards()
    {
        using var classifier = Gpt2Classifier();
        var folder = TinyModels.TempFolder();
        classifier.Save(folder);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "config.json")))!;
        Assert.Equal("GPT2ForSequenceClassification", config["architectures"]![0]!.GetValue<string>());
        Assert.Equal(1, config["num_labels"]!.GetValue<int>());

        using var loaded = SequenceClassifier.Load(folder);
        loaded.eval();
        var ids = tensor(new long[] { 5, 9, 17, 3, 44, 12, 8, 30 }, [2, 4]);
        Assert.True(classifier.Forward(ids).eq(loaded.Forward(ids)).all().item<bool>());
    }
}
