using AlignLab.Training.Demo;
using AlignLab.Training.Models.Gpt2;
using static TorchSharp.torch;

namespace AlignLab.Training.Tests;

/// <summary>Tiny random models in Hugging Face layout for tests (dropout off so passes are deterministic).</summary>
public static class TinyModels
{
    public static Gpt2Config Gpt2Config(int vocab = 61, int layers = 2) => new()
    {
        vocab_size = vocab, n_positions = 64, n_embd = 32, n_layer = layers, n_head = 4,
        resid_pdrop = 0, embd_pdrop = 0, attn_pdrop = 0, bos_token_id = 0, eos_token_id = 0,
    };

    public static Gpt2LMHeadModel Gpt2(int seed = 1, int vocab = 61)
    {
        random.manual_seed(seed);
        var model = new Gpt2LMHeadModel(Gpt2Config(vocab));
        model.eval();
        return model;
    }

    public static string TempFolder() => Directory.CreateTempSubdirectory("alignlab-model-").FullName;

    /// <summary>A new models root holding the platform's demo model under its name.</summary>
    public static string DemoRoot()
    {
        var root = TempFolder();
        DemoModel.Ensure(Path.Combine(root, DemoModel.Name));
        return root;
    }
}
