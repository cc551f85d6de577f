using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Training.Adapters;

/// <summary>Puts LoRA adapters on a model's linear layers chosen by name and freezes everything else; switches
/// them on and off; merges them for export.</summary>
public static class Lora
{
    /// <summary>Default targets: the attention's query and value maps (Hu et al.; R³'s setup). GPT-2 fuses q, k and v
    /// in c_attn, so there the adapter covers all three, as PEFT's GPT-2 default does.</summary>
    public static IReadOnlyList<string> DefaultTargets(string modelType) => modelType switch
    {
        "gpt2" => ["c_attn"],
        _ => ["q_proj", "v_proj"],
    };

    /// <summary>Attaches adapters to every adaptable layer whose name ends with a target; returns their names.</summary>
    public static IReadOnlyList<string> Attach(nn.Module model, IReadOnlyList<string> targets, int rank, double alpha, double dropout)
    {
        var attached = new List<string>();
        foreach (var (name, module) in model.named_modules().ToList())
            if (module is IAdaptableLinear layer && targets.Any(t => name == t || name.EndsWith("." + t, StringComparison.Ordinal)))
            {
                layer.AttachLora(rank, alpha, dropout);
                attached.Add(name);
            }
        if (attached.Count == 0) throw new ArgumentException($"no layer matches the LoRA targets {string.Join(", ", targets)}");
        foreach (var (name, parameter) in model.named_parameters())
            parameter.requires_grad = name.Contains(".lora.", StringComparison.Ordinal);
        return attached;
    }

    public static void SetEnabled(nn.Module model, bool enabled)
    {
        foreach (var layer in Adaptable(model)) if (layer.Lora is not null) layer.Lora.Enabled = enabled;
    }

    /// <summary>Runs <paramref name="action"/> with the adapters off (the frozen base as reference model).</summary>
    public static T WithoutAdapters<T>(nn.Module model, Func<T> action)
    {
        SetEnabled(model, false);
        try { return action(); }
        finally { SetEnabled(model, true); }
    }

    public static void Merge(nn.Module model)
    {
        foreach (var layer in Adaptable(model)) layer.MergeLora();
    }

    /// <summary>The model's weights without adapter tensors (for a Hugging Face export after <see cref="Merge"/>).</summary>
    public static Dictionary<string, Tensor> BaseStateDict(nn.Module model) =>
        model.state_dict().Where(kv => !kv.Key.Contains(".lora.", StringComparison.Ordinal)).ToDictionary(kv => kv.Key, kv => kv.Value);

    private static IEnumerable<IAdaptableLinear> Adaptable(nn.Module model) => model.modules().OfType<IAdaptableLinear>();
}
