using AlignLab.Core.ChatTemplates;
using AlignLab.Core.Tokenization;

namespace AlignLab.Core.Previews;

/// <summary>The prompt a log-prob preview conditions on: a conversation through the model's chat template, or a prompt
/// raw (with the special tokens the tokenizer adds) or through a named template. The response is tokenized on its own,
/// as training does.</summary>
public static class LogProbPrompt
{
    public const string RawTemplate = "raw";

    /// <summary>The rendered prompt and its ids: <paramref name="messages"/> through the model's chat template (with the
    /// generation prompt, tokenized as apply_chat_template(tokenize=True) does), or <paramref name="prompt"/> raw or
    /// through a named template. Throws <see cref="ArgumentException"/> or <see cref="ChatTemplateException"/>.</summary>
    public static (string Rendered, int[] Ids) Render(TextTokenizer tokenizer, string template, string? prompt, IReadOnlyList<ChatMessage>? messages)
    {
        if (messages is not null)
        {
            if (template != PromptTemplate.ModelTemplateName)
                throw new ArgumentException("messages are rendered by the model's chat template: set template to 'model'");
            var rendered = PromptTemplate.RenderConversation(tokenizer, messages);
            return (rendered, tokenizer.Encode(rendered));
        }
        if (template == RawTemplate) return (prompt!, tokenizer.EncodeWithSpecialTokens(prompt!));
        var chosen = PromptTemplate.Resolve(template, tokenizer);
        return (chosen.Render(prompt!, ""), chosen.EncodePrompt(tokenizer, prompt!, ""));
    }
}
