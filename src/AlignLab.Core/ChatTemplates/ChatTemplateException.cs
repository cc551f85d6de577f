namespace AlignLab.Core.ChatTemplates;

/// <summary>
/// Thrown at parse time for syntax or an unsupported construct (the message names the construct and the line,
/// e.g. "line 3: the 'extends' tag is not supported"), and at render time for raise_exception(...) (the message is
/// the template's own message) or a runtime error (an unknown filter, test or method is named in the message).
/// </summary>
public sealed class ChatTemplateException(string message) : Exception(message);
