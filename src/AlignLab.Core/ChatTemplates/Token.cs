namespace AlignLab.Core.ChatTemplates;

internal enum TokenKind
{
    Data,
    VariableBegin,
    VariableEnd,
    BlockBegin,
    BlockEnd,
    Name,
    String,
    Integer,
    Float,
    Operator,
    Eof,
}

/// <summary>A lexed token; Value holds the text (Data, Name, Operator) or the decoded literal (String, Integer, Float).</summary>
internal readonly record struct Token(TokenKind Kind, object? Value, int Line)
{
    public string Text => Value as string ?? "";

    public bool IsName(string name) => Kind == TokenKind.Name && (string)Value! == name;

    public bool IsOperator(string op) => Kind == TokenKind.Operator && (string)Value! == op;

    public override string ToString() => Kind switch
    {
        TokenKind.Eof => "end of template",
        TokenKind.BlockEnd => "end of statement block",
        TokenKind.VariableEnd => "end of print statement",
        TokenKind.Data => "template data",
        TokenKind.String => "string literal",
        _ => Convert.ToString(Value, System.Globalization.CultureInfo.InvariantCulture) ?? Kind.ToString(),
    };
}
