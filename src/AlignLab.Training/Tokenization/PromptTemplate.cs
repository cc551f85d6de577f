namespace AlignLab.Training.Tokenization;

/// <summary>How an (instruction, input) pair becomes the prompt a model sees. The prompt and the response are
/// tokenized separately and joined as ids, so the response span is known exactly in tokens (no re-tokenization
/// across the boundary); the response ends with EOS.</summary>
public sealed record PromptTemplate(string Name, Func<string, string, string> Render)
{
    /// <summary>Stanford Alpaca's template, used by FIGA's SPA data (instruction/input/output).</summary>
    public static readonly PromptTemplate Alpaca = new("alpaca", (instruction, input) => string.IsNullOrWhiteSpace(input)
        ? $"Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n### Instruction:\n{instruction}\n\n### Response:\n"
        : $"Below is an instruction that describes a task, paired with an input that provides further context. Write a response that appropriately completes the request.\n\n### Instruction:\n{instruction}\n\n### Input:\n{input}\n\n### Response:\n");

    /// <summary>The instruction (and input) as they are, then a newline.</summary>
    public static readonly PromptTemplate Plain = new("plain", (instruction, input) =>
        string.IsNullOrWhiteSpace(input) ? $"{instruction}\n" : $"{instruction}\n{input}\n");

    /// <summary>A USER/ASSISTANT turn, as Vicuna-style chat models (and R³'s clean-up markers) expect.</summary>
    public static readonly PromptTemplate Chat = new("chat", (instruction, input) =>
        string.IsNullOrWhiteSpace(input) ? $"USER: {instruction}\nASSISTANT: " : $"USER: {instruction}\n{input}\nASSISTANT: ");

    public static readonly IReadOnlyList<PromptTemplate> All = [Alpaca, Plain, Chat];

    public static PromptTemplate Named(string name) =>
        All.FirstOrDefault(t => t.Name == name) ?? throw new ArgumentException($"unknown prompt template '{name}'; known: {string.Join(", ", All.Select(t => t.Name))}");

    /// <summary>Token ids of the prompt and of the response (with EOS), ready to be concatenated.</summary>
    public (int[] Prompt, int[] Response) Encode(TextTokenizer tokenizer, string instruction, string input, string response) =>
        (tokenizer.Encode(Render(instruction, input)), [.. tokenizer.Encode(response), tokenizer.EosTokenId]);
}
