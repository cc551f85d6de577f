using AlignLab.Training.Demo;
using AlignLab.Training.Models;
using AlignLab.Training.Models.Gpt2;
using AlignLab.Training.Models.Llama;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Bench;

/// <summary>The model shapes the GPU benchmarks run at, each a random model folder with the demo tokenizer beside the demo
/// model (so that every method runs on the demo data unchanged):
/// <list type="bullet">
/// <item>demo: the demo model (GPT-2, 128 × 4, 0.9 M parameters), launch-bound on any GPU;</item>
/// <item>gpt2-small: GPT-2 small's body (768 × 12, 86 M with the demo vocabulary);</item>
/// <item>qwen2.5-1.5b: Qwen2.5-1.5B's body (qwen2: 1536 × 28, 12 query and 2 key/value heads, MLP 8960, q/k/v biases,
/// tied head; 1.31 B with the demo vocabulary), the 0.5–1.5 B class teams fine-tune on one GPU.</item>
/// </list></summary>
public static class BenchShapes
{
    public static readonly string[] Names = ["demo", "gpt2-small", "qwen2.5-1.5b"];

    /// <summary>The folder of <paramref name="shape"/> under <paramref name="root"/> (the demo model's is made there too).</summary>
    public static string Prepare(string root, string shape)
    {
        var demo = DemoModel.Ensure(Path.Combine(root, DemoModel.Name));
        return shape switch
        {
            "demo" => demo,
            "gpt2-small" => WithBody(demo, "gpt2-small-body",
                // Written from the fields, not from the demo's config.json.
                () => new Gpt2LMHeadModel((Gpt2Config)ModelFolder.ReadConfig(demo) with { n_embd = 768, n_layer = 12, n_head = 12, Source = null })),
            "qwen2.5-1.5b" => WithBody(demo, "qwen2.5-1.5b-body", () =>
            {
                var vocabulary = ModelFolder.ReadConfig(demo).VocabSize;
                return new LlamaForCausalLM(new LlamaConfig
                {
                    model_type = "qwen2", vocab_size = vocabulary, hidden_size = 1536, intermediate_size = 8960, num_hidden_layers = 28,
                    num_attention_heads = 12, num_key_value_heads = 2, max_position_embeddings = 2048, rms_norm_eps = 1e-6, rope_theta = 1e6,
                    tie_word_embeddings = true, bos_token_id = vocabulary - 1, eos_token_id = vocabulary - 1,
                });
            }),
            _ => throw new ArgumentException($"shape '{shape}' is not one of {string.Join(", ", Names)}"),
        };
    }

    /// <summary>The `shapes` benchmark: prepares every shape (or the ones named) and prints its parameters and the time of
    /// one forward pass of 8 tokens on the CPU; a check that each folder is written and loads, before a GPU session.</summary>
    public static Task RunAsync(string[] args)
    {
        var root = Directory.CreateTempSubdirectory("alignlab-shapes-").FullName;
        foreach (var shape in args.Length > 0 ? args : Names)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var folder = Prepare(root, shape);
            var prepared = clock.Elapsed.TotalSeconds;
            using var model = ModelFolder.Load(folder);
            using var scope = NewDisposeScope();
            using var grad = no_grad();
            clock.Restart();
            var logits = model.Forward(arange(8, dtype: ScalarType.Int64).unsqueeze(0));
            Console.WriteLine($"{shape}: {model.Config.ModelType}, {model.parameters().Sum(p => p.numel()) / 1e6:0.00} M parameters " +
                              $"({model.parameters().First().dtype}), folder written in {prepared:0.0} s; logits [{string.Join(", ", logits.shape)}], " +
                              $"finite {logits.isfinite().all().item<bool>()}, forward {clock.Elapsed.TotalMilliseconds:0} ms");
        }
        Directory.Delete(root, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>A random model of another shape beside the demo model, with its tokenizer, saved in bf16 (half the disk;
    /// each run casts to its precision).</summary>
    private static string WithBody(string demo, string name, Func<CausalLM> create)
    {
        var folder = Path.Combine(Path.GetDirectoryName(demo)!, name);
        if (File.Exists(Path.Combine(folder, ModelFolder.ConfigFile))) return folder;
        Directory.CreateDirectory(folder);
        foreach (var file in Directory.GetFiles(demo).Where(f => !f.EndsWith(".safetensors") && !f.EndsWith("config.json")))
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        File.Copy(Path.Combine(demo, "tokenizer_config.json"), Path.Combine(folder, "tokenizer_config.json"));
        using var model = create();
        model.to(ScalarType.BFloat16);
        ModelFolder.Save(model, folder);
        return folder;
    }
}
