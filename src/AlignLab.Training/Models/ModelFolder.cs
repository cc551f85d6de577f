using System.Text.Json;
using System.Text.Json.Nodes;
using AlignLab.Training.Models.Gpt2;
using AlignLab.Training.Models.Llama;
using AlignLab.Training.Weights;
using static TorchSharp.torch;

namespace AlignLab.Training.Models;

/// <summary>A model in Hugging Face layout: a folder with config.json and safetensors weights. Loads into
/// the architecture config.json names and saves so that transformers' from_pretrained reads it back.</summary>
public static class ModelFolder
{
    public const string ConfigFile = Core.Models.ModelFiles.ConfigFile;

    public static IReadOnlyList<string> SupportedModelTypes { get; } = ["gpt2", .. LlamaConfig.ModelTypes, Deberta.DebertaV2Config.ModelTypeName];

    public static ModelConfig ReadConfig(string folder)
    {
        var path = Path.Combine(folder, ConfigFile);
        if (!File.Exists(path)) throw new FileNotFoundException($"{folder} has no {ConfigFile}", path);
        JsonObject json;
        try { json = JsonNode.Parse(File.ReadAllText(path))!.AsObject(); }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new WeightsFormatException($"{path}: not a JSON object ({e.Message})");
        }
        var modelType = json["model_type"] is JsonValue t && t.GetValueKind() == JsonValueKind.String ? t.GetValue<string>() : null;
        return modelType switch
        {
            "gpt2" => Gpt2Config.FromJson(json),
            _ when LlamaConfig.ModelTypes.Contains(modelType) => LlamaConfig.FromJson(json),
            Deberta.DebertaV2Config.ModelTypeName => Deberta.DebertaV2Config.FromJson(json),
            _ => throw new UnsupportedConfigException("model_type",
                $"model_type '{modelType}' is not supported (supported: {string.Join(", ", SupportedModelTypes)})"),
        };
    }

    public static CausalLM Create(ModelConfig config) => config switch
    {
        Gpt2Config gpt2 => new Gpt2LMHeadModel(gpt2),
        LlamaConfig llama => new LlamaForCausalLM(llama),
        _ => throw new NotSupportedException($"model_type '{config.ModelType}' has no causal language model here (DeBERTa is a reward model only)"),
    };

    /// <summary>Builds the model config.json describes and loads its weights (on the CPU; move it after).</summary>
    public static CausalLM Load(string folder)
    {
        var model = Create(ReadConfig(folder));
        try
        {
            LoadWeights(model, SafetensorsCheckpoint.Open(folder));
        }
        catch
        {
            model.Dispose();
            throw;
        }
        return model;
    }

    /// <summary>Copies every parameter from the checkpoint; a missing tensor or a shape mismatch fails and names
    /// the tensor, and so does a checkpoint tensor the model neither uses nor may ignore.</summary>
    public static void LoadWeights(nn.Module model, SafetensorsCheckpoint checkpoint)
    {
        var names = model as CausalLM ?? (model as SequenceClassifier)?.Backbone;
        LoadWeights(model, checkpoint, name => names?.CheckpointAliases(name) ?? [], name => names?.IsIgnorableCheckpointTensor(name) == true);
    }

    /// <summary>Copies every parameter of <paramref name="model"/> from the checkpoint tensor of its name or of one of its
    /// <paramref name="aliases"/>, checking shapes; a checkpoint tensor that is neither used nor <paramref name="ignorable"/>
    /// is an error, so a mismatched architecture does not load silently.</summary>
    public static void LoadWeights(nn.Module model, SafetensorsCheckpoint checkpoint, Func<string, IEnumerable<string>> aliases, Func<string, bool> ignorable)
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        using var noGrad = no_grad();
        foreach (var (name, parameter) in model.state_dict())
        {
            var source = new[] { name }.Concat(aliases(name)).FirstOrDefault(n => checkpoint.Names.Contains(n))
                ?? throw new WeightsFormatException($"checkpoint lacks tensor '{name}'");
            var entry = checkpoint.Entry(source);
            if (!entry.Shape.SequenceEqual(parameter.shape))
                throw new WeightsFormatException(
                    $"tensor '{source}': checkpoint has shape [{string.Join(", ", entry.Shape)}], the model expects [{string.Join(", ", parameter.shape)}]");
            using var value = checkpoint.Read(source);
            parameter.copy_(value);
            used.Add(source);
        }
        var unexpected = checkpoint.Names.Where(n => !used.Contains(n) && !ignorable(n)).Order(StringComparer.Ordinal).ToList();
        if (unexpected.Count > 0)
            throw new WeightsFormatException($"checkpoint tensors the model has no place for: {string.Join(", ", unexpected.Take(10))}{(unexpected.Count > 10 ? ", …" : "")}");
    }

    /// <summary>Writes config.json and the weights (single file, or shards above <paramref name="maxShardBytes"/>).
    /// LoRA adapter tensors are not part of a Hugging Face folder: merge adapters first (Lora.Merge).</summary>
    /// <param name="extraConfig">Entries added to config.json (e.g. the PPO variant that trained the model).</param>
    public static void Save(CausalLM model, string folder, long maxShardBytes = 5L << 30, JsonObject? extraConfig = null)
    {
        Directory.CreateDirectory(folder);
        var config = model.Config.ToJson();
        var weights = Adapters.Lora.BaseStateDict(model);
        config["torch_dtype"] = weights.Values.First().dtype switch
        {
            ScalarType.BFloat16 => "bfloat16",
            ScalarType.Float16 => "float16",
            _ => "float32",
        };
        if (config.ContainsKey("dtype")) config["dtype"] = config["torch_dtype"]!.DeepClone();     // transformers 5's name for it
        foreach (var (key, value) in extraConfig ?? []) config[key] = value?.DeepClone();
        File.WriteAllText(Path.Combine(folder, ConfigFile), config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        SafetensorsWriter.WriteCheckpoint(folder, weights, maxShardBytes);
    }
}
