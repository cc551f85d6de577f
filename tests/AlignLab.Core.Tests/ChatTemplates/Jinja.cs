using AlignLab.Core.ChatTemplates;

namespace AlignLab.Core.Tests.ChatTemplates;

/// <summary>
/// Shared by the engine tests. Their expected strings were rendered by jinja2 3.1.6 configured exactly as
/// transformers' apply_chat_template (ImmutableSandboxedEnvironment, trim_blocks, lstrip_blocks, loopcontrols,
/// its tojson/raise_exception/strftime_now), since jinja2 is what transformers runs. @huggingface/jinja 0.5.11
/// agrees on the plain cases but not on many here: it prints true/false for True/False, keeps a set inside a loop
/// across iterations, writes 1.0 as 1 in tojson, and lacks raw, with, '+' markers and most str methods.
/// </summary>
internal static class Jinja
{
    /// <summary>The conversation every case sees as `messages`.</summary>
    public static readonly ChatMessage[] Conversation =
        [new("system", "Sys"), new("user", "Q1"), new("assistant", "A1"), new("user", "Q2")];

    public static string Render(string template, IReadOnlyDictionary<string, object?>? variables = null, bool addGenerationPrompt = false) =>
        ChatTemplate.Parse(template).Render(Conversation, addGenerationPrompt, variables);
}
