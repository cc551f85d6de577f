namespace AlignLab.Core.ChatTemplates;

/// <summary>
/// A Python-level error raised while rendering (TypeError, UndefinedError, ...). Render turns it into a
/// <see cref="ChatTemplateException"/> that names the template line; raise_exception bypasses it so that the
/// template's own message reaches the caller unchanged.
/// </summary>
internal sealed class TemplateRuntimeError(string message) : Exception(message);
