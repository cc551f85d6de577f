namespace AlignLab.Core.ChatTemplates;

/// <summary>One turn of a conversation; a template sees it as the mapping {"role": Role, "content": Content}.</summary>
public sealed record ChatMessage(string Role, string Content);
