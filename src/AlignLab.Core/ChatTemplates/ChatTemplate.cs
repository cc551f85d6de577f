namespace AlignLab.Core.ChatTemplates;

/// <summary>
/// A Hugging Face chat template (the tokenizer_config.json "chat_template" Jinja string), parsed once and rendered
/// byte-identically to transformers' apply_chat_template, which runs jinja2 in an ImmutableSandboxedEnvironment
/// with trim_blocks=True and lstrip_blocks=True. Templates that call strftime_now render the current date, so
/// their output varies from day to day.
/// </summary>
public sealed class ChatTemplate
{
    private readonly Node[] _body;

    private ChatTemplate(string source, Node[] body)
    {
        Source = source;
        _body = body;
    }

    public string Source { get; }

    /// <summary>Parses a template; throws <see cref="ChatTemplateException"/> for a syntax error or unsupported construct.</summary>
    public static ChatTemplate Parse(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return new ChatTemplate(source, Parser.Parse(source));
    }

    /// <summary>
    /// Renders as transformers' apply_chat_template(messages, add_generation_prompt=..., **variables), so
    /// bos_token/eos_token and template switches such as enable_thinking or tools go in variables. Values may be
    /// string, bool, int, long, double, null, IReadOnlyList&lt;object?&gt; or IReadOnlyDictionary&lt;string, object?&gt;.
    /// </summary>
    public string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt, IReadOnlyDictionary<string, object?>? variables = null)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var root = new Scope(Globals.Scope);
        // apply_chat_template always passes tools and documents, as None when the caller gives none, so a
        // template's "tools is not none" is false rather than true-for-undefined.
        root.Set("tools", null);
        root.Set("documents", null);
        if (variables is not null)
            foreach (var (name, value) in variables) root.Set(name, FromClr(value, name));
        var turns = new List<object?>(messages.Count);
        foreach (var message in messages)
        {
            var turn = new PyDict();
            turn.Set("role", message.Role);
            turn.Set("content", message.Content);
            turns.Add(turn);
        }
        root.Set("messages", turns);
        root.Set("add_generation_prompt", addGenerationPrompt);
        return Interpreter.Render(_body, root);
    }

    private static object? FromClr(object? value, string name) => value switch
    {
        null or string or bool or long or double => value,
        int or short or byte or sbyte or ushort or uint => Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture),
        float f => (double)f,
        decimal m => (double)m,
        IReadOnlyDictionary<string, object?> dict => ToDict(dict, name),
        IReadOnlyList<object?> list => list.Select(item => FromClr(item, name)).ToList(),
        _ => throw new ArgumentException($"variable '{name}': values of type {value.GetType().Name} are not supported", nameof(value)),
    };

    private static PyDict ToDict(IReadOnlyDictionary<string, object?> source, string name)
    {
        var dict = new PyDict();
        foreach (var (key, item) in source) dict.Set(key, FromClr(item, name));
        return dict;
    }
}
