using System.Text.Json.Nodes;
using AlignLab.Training.Weights;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AlignLab.Training.Models;

/// <summary>A causal LM's backbone with a linear score head instead of the LM head: Hugging Face's
/// *ForSequenceClassification (GPT2ForSequenceClassification, LlamaForSequenceClassification, …), the shape of
/// the reward models the methods use. Parameter names are HF's: the backbone's own (transformer.* or model.*)
/// plus score.weight (num_labels, hidden), no bias.</summary>
public sealed class SequenceClassifier : nn.Module
{
    private readonly CausalLM _lm;
    private readonly Linear score;

    public SequenceClassifier(CausalLM lm, int labels = 1) : base(nameof(SequenceClassifier))
    {
        _lm = lm;
        Labels = labels;
        // The backbone's modules under their own names (transformer / model); the LM head is not part of a classifier.
        foreach (var (name, child) in lm.named_children())
            if (name != "lm_head") register_module(name, child);
        score = nn.Linear(lm.Config.HiddenSize, labels, hasBias: false);
        using (no_grad()) score.weight!.normal_(0, 0.02);
        register_module("score", score);
    }

    public CausalLM Backbone => _lm;
    public int Labels { get; }

    /// <summary>Scores of every position (B, T, labels): the token-level view a token-level reward model trains.</summary>
    /// <param name="unpadded">Right-padded rows' real tokens: the backbone skips the padding (<see cref="Unpadding"/>), whose
    /// scores are then those of zero hidden states. Right-padded rows need no attention mask.</param>
    public Tensor Scores(Tensor inputIds, Tensor? attentionMask = null, Unpadding? unpadded = null) =>
        score.forward(_lm.Hidden(inputIds, attentionMask, unpadded: unpadded));

    /// <summary>The score at each sequence's last real token (B, labels), wherever the padding is (left or right).</summary>
    public Tensor Forward(Tensor inputIds, Tensor? attentionMask = null)
    {
        var scores = Scores(inputIds, attentionMask);                                                  // (B, T, L)
        var (B, T) = (inputIds.shape[0], inputIds.shape[1]);
        var last = attentionMask is null
            ? full(B, T - 1, dtype: ScalarType.Int64, device: inputIds.device)
            : (arange(T, device: inputIds.device).unsqueeze(0) * attentionMask.to(ScalarType.Int64)).argmax(1);   // (B)
        return scores.gather(1, last.view(B, 1, 1).expand(B, 1, Labels)).squeeze(1);
    }

    public static SequenceClassifier Load(string folder)
    {
        var config = ModelFolder.ReadConfig(folder);
        var classifier = new SequenceClassifier(ModelFolder.Create(config), LabelCount(folder));
        try
        {
            ModelFolder.LoadWeights(classifier, SafetensorsCheckpoint.Open(folder));
        }
        catch
        {
            classifier.Dispose();
            throw;
        }
        return classifier;
    }

    /// <param name="extraConfig">Entries added to config.json (e.g. how the reward is read: sequence or token level).</param>
    public void Save(string folder, JsonObject? extraConfig = null)
    {
        Directory.CreateDirectory(folder);
        var config = _lm.Config.ToJson();
        var architecture = (config["architectures"] is JsonArray { Count: > 0 } a && a[0] is JsonValue name ? name.GetValue<string>() : "ForCausalLM")
            .Replace("LMHeadModel", "ForSequenceClassification").Replace("ForCausalLM", "ForSequenceClassification");
        config["architectures"] = new JsonArray(architecture);
        config["num_labels"] = Labels;
        config["id2label"] = new JsonObject(Enumerable.Range(0, Labels).Select(i => KeyValuePair.Create(i.ToString(), (JsonNode?)$"LABEL_{i}")));
        config["label2id"] = new JsonObject(Enumerable.Range(0, Labels).Select(i => KeyValuePair.Create($"LABEL_{i}", (JsonNode?)i)));
        config["pad_token_id"] = _lm.Config.EosTokenId;
        foreach (var (key, value) in extraConfig ?? []) config[key] = value?.DeepClone();
        File.WriteAllText(Path.Combine(folder, ModelFolder.ConfigFile), config.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        SafetensorsWriter.WriteCheckpoint(folder, Adapters.Lora.BaseStateDict(this));
    }

    private static int LabelCount(string folder)
    {
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, ModelFolder.ConfigFile)))!.AsObject();
        return json["num_labels"]?.GetValue<int>() ?? (json["id2label"] as JsonObject)?.Count ?? 1;
    }
}
