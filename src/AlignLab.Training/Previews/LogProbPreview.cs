using AlignLab.Core.ChatTemplates;
using AlignLab.Training.Models;
using AlignLab.Training.Tokenization;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace AlignLab.Training.Previews;

/// <summary>The per-token log-probabilities of a response under a model: where the model is sure and where it is not.
/// The prompt is rendered by a template (or tokenized raw, with the special tokens the tokenizer adds), the response is
/// tokenized on its own, as training does, and each response token's log p is taken given everything before it.</summary>
public static class LogProbPreview
{
    public const string RawTemplate = "raw";

    public sealed record ResponseToken(int Id, string Text, double Logprob);

    /// <summary>The rendered prompt and its ids: <paramref name="messages"/> through the model's chat template (with the
    /// generation prompt, tokenized as apply_chat_template(tokenize=True) does), or <paramref name="prompt"/> raw or
    /// through a named template. Throws <see cref="ArgumentException"/> or <see cref="ChatTemplateException"/>.</summary>
    public static (string Rendered, int[] Ids) Prompt(TextTokenizer tokenizer, string template, string? prompt, IReadOnlyList<ChatMessage>? messages)
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

    /// <summary>log p(response[k] | prompt, response[&lt;k]) for every response token, in float64 from a float32 forward pass.</summary>
    public static double[] ResponseLogProbs(CausalLM model, int[] prompt, int[] response)
    {
        if (response.Length == 0) return [];
        if (prompt.Length == 0) throw new ArgumentException("the prompt has no tokens, so the first response token has nothing to be predicted from");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        long[] ids = [.. prompt.Select(i => (long)i), .. response.Select(i => (long)i)];
        var input = tensor(ids, [1, ids.Length]);
        // Only the positions that predict response tokens go through the head: a long prompt costs no (T, vocab) logits.
        var hidden = model.Hidden(input).narrow(1, prompt.Length - 1, response.Length);               // (1, R, C)
        var logits = model.Logits(hidden);                                                             // (1, R, V)
        var logp = F.log_softmax(logits.to(ScalarType.Float64), -1);
        var targets = tensor(response.Select(i => (long)i).ToArray(), [1, response.Length, 1]);
        return logp.gather(-1, targets).view(response.Length).data<double>().ToArray();
    }
}
