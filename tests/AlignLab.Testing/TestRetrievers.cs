using AlignLab.Training.Retrieval;
using AlignLab.Training.Weights;
using static TorchSharp.torch;

namespace AlignLab.Testing;

/// <summary>Retriever folders for tests, in Hugging Face BERT layout (config.json, model.safetensors, vocab.txt).</summary>
public static class TestRetrievers
{
    public static readonly string[] Vocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "paris", "the", "capital", "cafe"];

    /// <summary>A one-layer BERT whose output can be worked out by hand: hidden size 2 and every linear map zero, so
    /// each layer norm sees ±(1, −1)·k and returns ±(1, −1). A token's hidden state is the sign s of its word
    /// embedding's first minus second component, and the last layer norm (γ = (2, 1), β = (0.5, 0)) maps s to
    /// (2s + 0.5, −s).</summary>
    public static void CreateTiny(string folder)
    {
        Directory.CreateDirectory(folder);
        var config = new BertConfig { vocab_size = Vocabulary.Length, hidden_size = 2, num_hidden_layers = 1, num_attention_heads = 1, intermediate_size = 4, max_position_embeddings = 16 };
        using var encoder = new BertEncoder(config);
        // Word embeddings: [CLS], [SEP] and "capital" have first > second (sign +1); "paris", "the", "cafe" and [UNK] have −1.
        float[][] words = [[0, 0], [0, 1], [1, 0], [1, 0], [0, 0], [0, 1], [0, 1], [2, 0], [0, 1]];
        using (no_grad())
            foreach (var (name, parameter) in encoder.state_dict())
            {
                parameter.zero_();
                if (name.EndsWith("LayerNorm.weight")) parameter.fill_(1);
                if (name == "encoder.layer.0.output.LayerNorm.weight") parameter.copy_(tensor(new float[] { 2, 1 }));
                if (name == "encoder.layer.0.output.LayerNorm.bias") parameter.copy_(tensor(new float[] { 0.5f, 0 }));
                if (name == "embeddings.word_embeddings.weight") parameter.copy_(tensor(words.SelectMany(w => w).ToArray(), [Vocabulary.Length, 2]));
            }
        SafetensorsWriter.Write(Path.Combine(folder, "model.safetensors"), encoder.state_dict());
        File.WriteAllText(Path.Combine(folder, "config.json"), config.ToJson().ToJsonString());
        File.WriteAllLines(Path.Combine(folder, "vocab.txt"), Vocabulary);
        File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"), """{"do_lower_case": true}""");
    }

}
