namespace AlignLab.Training.Inference;

/// <summary>How to sample continuations. Temperature 0 is greedy decoding.</summary>
public sealed record GenerationOptions
{
    public int MaxNewTokens { get; init; } = 64;
    public double Temperature { get; init; } = 1.0;
    /// <summary>Keep only the k most likely tokens (0: all).</summary>
    public int TopK { get; init; }
    /// <summary>Keep the smallest set of tokens whose probability reaches p (1: all).</summary>
    public double TopP { get; init; } = 1.0;
    /// <summary>Token that ends a sequence; null: the model config's eos_token_id.</summary>
    public int? EosTokenId { get; init; }
    /// <summary>More tokens that end a sequence, e.g. every EOS of the tokenizer, config.json and generation_config.json
    /// (an instruct model's end of turn besides its end of text).</summary>
    public IReadOnlyList<int> StopTokenIds { get; init; } = [];
    /// <summary>Token used to pad prompts on the left and finished sequences on the right.</summary>
    public int PadTokenId { get; init; }
    public long? Seed { get; init; }
    /// <summary>Sequences per generation pass (0: all at once). The prompts are sorted by length and generated pass after
    /// pass, so that each pass pads the least and the KV cache holds one pass; the draws of a seed continue from pass to
    /// pass.</summary>
    public int BatchSize { get; init; }
}
