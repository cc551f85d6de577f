using AlignLab.Core.ChatTemplates;

namespace AlignLab.Core.Tokenization;

/// <summary>How an (instruction, input) pair becomes the prompt a model sees. The prompt and the response are
/// tokenized separately and joined as ids, so the response span is known exactly in tokens (no re-tokenization
/// across the boundary); the response ends with EOS.
/// <list type="bullet">
/// <item>The fixed templates (alpaca, plain, chat) are text; their prompt gets the special tokens the tokenizer adds
/// (BOS for Llama-2-style tokenizers, as the FIGA authors' code has it).</item>
/// <item><c>model</c> renders the model's own chat template (tokenizer_config.json's chat_template) as transformers'
/// apply_chat_template(messages, add_generation_prompt=True) does; the rendering already holds its special tokens
/// (BOS, turn markers), so nothing is added when it is tokenized.</item>
/// </list></summary>
public sealed record PromptTemplate(string Name, Func<string, string, string> Render)
{
    public const string ModelTemplateName = Core.Runs.RunRequestValidator.ModelTemplate;

    /// <summary>Whether tokenizing the rendered prompt adds the tokenizer's special tokens (false for a chat template).</summary>
    public bool AddsSpecialTokens { get; init; } = true;

    /// <summary>The text that opens a turn or a part of one in this template ("### Response:", "USER:", a chat template's
    /// role headers): where a model that writes past its answer starts the next turn. R³ cuts responses there.</summary>
    public IReadOnlyList<string> RoleMarkers { get; init; } = [];

    /// <summary>Stanford Alpaca's template, used by FIGA's SPA data (instruction/input/output).</summary>
    public static readonly PromptTemplate Alpaca = new("alpaca", (instruction, input) => string.IsNullOrWhiteSpace(input)
        ? $"Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n### Instruction:\n{instruction}\n\n### Response:\n"
        : $"Below is an instruction that describes a task, paired with an input that provides further context. Write a response that appropriately completes the request.\n\n### Instruction:\n{instruction}\n\n### Input:\n{input}\n\n### Response:\n")
    {
        RoleMarkers = ["### Instruction:", "### Input:", "### Response:"],
    };

    /// <summary>The instruction (and input) as they are, then a newline.</summary>
    public static readonly PromptTemplate Plain = new("plain", (instruction, input) =>
        string.IsNullOrWhiteSpace(input) ? $"{instruction}\n" : $"{instruction}\n{input}\n");

    /// <summary>A USER/ASSISTANT turn, as Vicuna-style chat models (and R³'s clean-up markers) expect.</summary>
    public static readonly PromptTemplate Chat = new("chat", (instruction, input) =>
        string.IsNullOrWhiteSpace(input) ? $"USER: {instruction}\nASSISTANT: " : $"USER: {instruction}\n{input}\nASSISTANT: ")
    {
        RoleMarkers = ["USER:", "ASSISTANT:"],
    };

    /// <summary>The fixed templates, which need no model.</summary>
    public static readonly IReadOnlyList<PromptTemplate> All = [Alpaca, Plain, Chat];

    /// <summary>Every template name a run may give: the fixed ones and <c>model</c>.</summary>
    public static readonly IReadOnlyList<string> Names = [.. All.Select(t => t.Name), ModelTemplateName];

    /// <summary>A fixed template by name.</summary>
    public static PromptTemplate Named(string name) =>
        All.FirstOrDefault(t => t.Name == name) ?? throw new ArgumentException(name == ModelTemplateName
            ? "the 'model' template needs the model's tokenizer: use PromptTemplate.Resolve"
            : $"unknown prompt template '{name}'; known: {string.Join(", ", Names)}");

    /// <summary>The template a run names, for the model whose tokenizer is given: a fixed one, or the model's chat template.
    /// Throws <see cref="ArgumentException"/> when the model has no chat template and <see cref="ChatTemplateException"/>
    /// when its template uses a construct the engine cannot render (both at submission, through the same call).</summary>
    public static PromptTemplate Resolve(string name, TextTokenizer tokenizer) =>
        name == ModelTemplateName ? FromChatTemplate(tokenizer) : Named(name);

    /// <summary>The model's chat template as a prompt template: one user turn (instruction, then input on its own lines),
    /// rendered with the generation prompt. It is rendered once here, so a template that fails fails now.</summary>
    public static PromptTemplate FromChatTemplate(TextTokenizer tokenizer)
    {
        var chat = ChatTemplateOf(tokenizer);
        var variables = TemplateVariables(tokenizer);
        var template = new PromptTemplate(ModelTemplateName, (instruction, input) =>
            chat.Render([new ChatMessage("user", string.IsNullOrWhiteSpace(input) ? instruction : $"{instruction}\n\n{input}")], true, variables))
        { AddsSpecialTokens = false, RoleMarkers = RoleMarkersOf(chat, variables) };
        template.Render("Hello", "");
        return template;
    }

    /// <summary>A conversation rendered with the model's chat template and the generation prompt, as
    /// apply_chat_template(messages, add_generation_prompt=True) does.</summary>
    public static string RenderConversation(TextTokenizer tokenizer, IReadOnlyList<ChatMessage> messages) =>
        ChatTemplateOf(tokenizer).Render(messages, true, TemplateVariables(tokenizer));

    /// <summary>A chat template's turn boundaries: a user–assistant–user conversation is rendered with placeholder contents,
    /// and the text between one turn's content and the next's (end of turn, next role's header) is cut into its lines, each
    /// a marker. A template that cannot render such a conversation gives none.</summary>
    public static IReadOnlyList<string> RoleMarkersOf(ChatTemplate chat, IReadOnlyDictionary<string, object?>? variables = null)
    {
        const string User = "\uE000", Assistant = "\uE001", Next = "\uE002";
        string rendered;
        try { rendered = chat.Render([new("user", User), new("assistant", Assistant), new("user", Next)], true, variables); }
        catch (Exception e) when (e is ChatTemplateException or ArgumentException) { return []; }
        int user = rendered.IndexOf(User, StringComparison.Ordinal), assistant = rendered.IndexOf(Assistant, StringComparison.Ordinal),
            next = rendered.IndexOf(Next, StringComparison.Ordinal);
        if (user < 0 || assistant < user || next < assistant) return [];
        string[] boundaries = [rendered[(user + 1)..assistant], rendered[(assistant + 1)..next], rendered[(next + 1)..]];
        return [.. boundaries.SelectMany(b => b.Split('\n')).Select(m => m.Trim()).Where(m => m.Length > 0).Distinct()];
    }

    // A rendering names its special tokens as text ("<|im_start|>"); only tokenizer.json turns such text into their ids.
    private static ChatTemplate ChatTemplateOf(TextTokenizer tokenizer)
    {
        var source = tokenizer.Config.ChatTemplate
            ?? throw new ArgumentException("the model has no chat template (tokenizer_config.json has no chat_template)");
        if (tokenizer.Kind != TokenizerJson.FileName)
            throw new ArgumentException($"the model's chat template needs a tokenizer.json tokenizer, which reads its special tokens in text; this model has {tokenizer.Kind}");
        return ChatTemplate.Parse(source);
    }

    // The special tokens by their text, as transformers passes them: a token the tokenizer does not have is left out
    // (undefined in the template), not passed as an empty string.
    private static Dictionary<string, object?> TemplateVariables(TextTokenizer tokenizer)
    {
        var variables = new Dictionary<string, object?>();
        foreach (var (name, value) in new[] { ("bos_token", tokenizer.Config.BosToken), ("eos_token", tokenizer.Config.EosToken),
                     ("pad_token", tokenizer.Config.PadToken), ("unk_token", tokenizer.Config.UnkToken) })
            if (value is not null) variables[name] = value;
        return variables;
    }

    /// <summary>The prompt's token ids: the rendering with the tokenizer's special tokens for a fixed template, as it is
    /// for a chat template.</summary>
    public int[] EncodePrompt(TextTokenizer tokenizer, string instruction, string input)
    {
        var text = Render(instruction, input);
        return AddsSpecialTokens ? tokenizer.EncodeWithSpecialTokens(text) : tokenizer.Encode(text);
    }

    /// <summary>Token ids of the prompt and of the response (with EOS) as the FIGA authors' train.py joins them: the prompt's
    /// text without its closing newline (their Alpaca template ends "### Response:"), a space and the response are tokenized
    /// as one string after the tokenizer's leading special tokens (BOS); the prompt's ids are the prompt's text tokenized
    /// alone the same way, and the response is whatever follows that many ids, then EOS (the authors append EOS as text).
    /// The response's first token carries the joining space, as SentencePiece and byte-level BPE tokenize it.</summary>
    public (int[] Prompt, int[] Response) EncodeAsOneText(TextTokenizer tokenizer, string instruction, string input, string response)
    {
        var prompt = Render(instruction, input).TrimEnd('\n');
        int[] prefix = AddsSpecialTokens ? tokenizer.Prefix : [];
        int[] promptIds = [.. prefix, .. tokenizer.Encode(prompt)];
        int[] whole = [.. prefix, .. tokenizer.Encode(prompt + " " + response)];
        return (promptIds, [.. whole.Skip(promptIds.Length), tokenizer.EosTokenId]);
    }

    /// <summary>Token ids of the prompt and of the response (with EOS), ready to be concatenated.</summary>
    public (int[] Prompt, int[] Response) Encode(TextTokenizer tokenizer, string instruction, string input, string response) =>
        (EncodePrompt(tokenizer, instruction, input), [.. tokenizer.Encode(response), tokenizer.EosTokenId]);
}
