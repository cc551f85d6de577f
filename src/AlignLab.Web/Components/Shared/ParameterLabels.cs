namespace AlignLab.Web.Components.Shared;

/// <summary>A parameter's name as a person reads it in the wizard ("nll_threshold" → "NLL threshold"); the exact name,
/// which the API and exported specs use, is shown beside it.</summary>
public static class ParameterLabels
{
    private static readonly Dictionary<string, string> Words = new(StringComparer.Ordinal)
    {
        ["nll"] = "NLL", ["kl"] = "KL", ["lr"] = "LR", ["lora"] = "LoRA", ["eos"] = "EOS", ["ppo"] = "PPO", ["gae"] = "GAE",
        ["rm"] = "RM", ["sft"] = "SFT", ["spa"] = "SPA", ["ms"] = "ms", ["id"] = "ID", ["ids"] = "IDs", ["r3"] = "R³",
        ["li"] = "LI", ["rp"] = "RP", ["ce"] = "CE", ["oe"] = "OE", ["bf16"] = "bf16", ["fp32"] = "fp32", ["eta1"] = "η₁",
        ["eta2"] = "η₂", ["eta3"] = "η₃", ["alpha"] = "α", ["beta"] = "β", ["gamma"] = "γ", ["lambda"] = "λ", ["lam"] = "λ",
    };

    public static string Of(string name)
    {
        var words = name.Split('_', StringSplitOptions.RemoveEmptyEntries).Select(w => Words.GetValueOrDefault(w, w)).ToArray();
        if (words.Length == 0) return name;
        if (words[0].Length > 0 && char.IsLower(words[0][0])) words[0] = char.ToUpperInvariant(words[0][0]) + words[0][1..];
        return string.Join(' ', words);
    }
}
