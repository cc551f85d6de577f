using AlignLab.Core.Demo;
using AlignLab.Core.Tokenization;
using AlignLab.Training.Models;
using AlignLab.Training.Models.Gpt2;
using static TorchSharp.torch;

namespace AlignLab.Training.Demo;

/// <summary>The platform's own demo model: GPT-2 architecture, random initialisation, and a GPT-2-format byte-level
/// BPE tokenizer learned from the demo data (GPT-2's own 50k vocabulary is not available offline, and a small
/// vocabulary keeps the model fast on a CPU). SFT on the demo data turns it into a model that answers on topic.</summary>
public static class DemoModel
{
    public const string Name = DemoPolicy.BaseModel;
    public const int TokenizerMerges = 600;

    public static Gpt2Config Config(int vocabularySize) => new()
    {
        vocab_size = vocabularySize, n_positions = 256, n_embd = 128, n_layer = 4, n_head = 4,
        resid_pdrop = 0.0, embd_pdrop = 0.0, attn_pdrop = 0.0,
        bos_token_id = vocabularySize - 1, eos_token_id = vocabularySize - 1,
    };

    /// <summary>Writes the demo model's folder (config.json, model.safetensors, vocab.json, merges.txt) unless it is there.</summary>
    public static string Ensure(string folder, int seed = 1234)
    {
        if (File.Exists(Path.Combine(folder, ModelFolder.ConfigFile))) return folder;
        var temporary = folder + ".partial-" + Guid.NewGuid().ToString("N");
        var corpus = DemoData.Generate().SelectMany(e => new[] { PromptTemplate.Alpaca.Render(e.Instruction, e.Input) + e.Response });
        var tokenizer = ByteLevelBpeTrainer.Train(corpus, TokenizerMerges);
        ByteLevelBpeTrainer.Save(tokenizer, temporary);
        File.WriteAllText(Path.Combine(temporary, "tokenizer_config.json"),
            """{"tokenizer_class": "GPT2Tokenizer", "bos_token": "<|endoftext|>", "eos_token": "<|endoftext|>", "unk_token": "<|endoftext|>", "model_max_length": 256}""");
        random.manual_seed(seed);
        using (var model = new Gpt2LMHeadModel(Config(tokenizer.Vocabulary.Count)))
            ModelFolder.Save(model, temporary);
        try { Directory.Move(temporary, folder); }
        catch (IOException) when (File.Exists(Path.Combine(folder, ModelFolder.ConfigFile))) { Directory.Delete(temporary, true); }
        return folder;
    }
}
