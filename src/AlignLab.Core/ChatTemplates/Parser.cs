namespace AlignLab.Core.ChatTemplates;

/// <summary>
/// Recursive-descent parser from tokens to the syntax tree, following jinja2/parser.py. This half parses the
/// statements ({% ... %} tags and template data); Parser.Expressions.cs parses what is inside them.
/// </summary>
internal sealed partial class Parser
{
    // Tags that need a loader or change escaping: a chat template is one standalone string rendered without HTML
    // escaping, so these are refused up front instead of being half supported.
    private static readonly HashSet<string> UnsupportedTags = ["extends", "include", "import", "from", "block", "autoescape"];

    private readonly List<Token> _tokens;
    private int _pos;

    // jinja2 reports an unknown filter or test at compile time, except inside an if statement or an inline if,
    // where it waits until the expression runs; this tracks whether parsing is inside such a "soft" frame.
    private bool _softFrame;

    // Variable names read inside the macro body being parsed (see MacroNode's flags).
    private HashSet<string> _namesSeen = [];

    private Parser(List<Token> tokens) => _tokens = tokens;

    public static Node[] Parse(string source)
    {
        var parser = new Parser(Lexer.Tokenize(source));
        Node[] body;
        // A template nested deeper than the stack allows (thousands of brackets or blocks) is refused, not a crash.
        try { body = parser.ParseBody([]); }
        catch (InsufficientExecutionStackException) { throw new ChatTemplateException($"line {parser.Current.Line}: the template is nested too deeply"); }
        if (parser._unknownNames.Count > 0) throw parser._unknownNames[0];
        return body;
    }

    private Token Current => _tokens[_pos];

    private Token Peek(int offset) => _tokens[Math.Min(_pos + offset, _tokens.Count - 1)];

    private Token Next()
    {
        var token = Current;
        if (token.Kind != TokenKind.Eof) _pos++;
        return token;
    }

    /// <summary>Parses template data, prints and tags until a block tag whose name is one of endTags.</summary>
    private Node[] ParseBody(string[] endTags)
    {
        var body = new List<Node>();
        while (true)
        {
            var token = Current;
            switch (token.Kind)
            {
                case TokenKind.Data:
                    body.Add(new TextNode(token.Line, token.Text));
                    _pos++;
                    break;
                case TokenKind.VariableBegin:
                    _pos++;
                    body.Add(new PrintNode(token.Line, ParseTuple()));
                    Expect(TokenKind.VariableEnd);
                    break;
                case TokenKind.BlockBegin:
                    var tag = Peek(1);
                    if (tag.Kind == TokenKind.Name && endTags.Contains(tag.Text))
                    {
                        _pos++;
                        return [.. body];
                    }
                    _pos++;
                    body.Add(ParseStatement());
                    Expect(TokenKind.BlockEnd);
                    break;
                default:
                    if (endTags.Length > 0)
                        throw Error($"unexpected end of template, expected {string.Join(" or ", endTags.Select(t => $"'{t}'"))}");
                    return [.. body];
            }
        }
    }

    private Node ParseStatement()
    {
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        var token = Current;
        if (token.Kind != TokenKind.Name) throw Error("tag name expected");
        if (UnsupportedTags.Contains(token.Text)) throw Error($"the '{token.Text}' tag is not supported");
        _pos++;
        return token.Text switch
        {
            "if" => ParseIf(token.Line),
            "for" => ParseFor(token.Line),
            "set" => ParseSet(token.Line),
            "macro" => ParseMacro(token.Line),
            "call" => ParseCallBlock(token.Line),
            "filter" => ParseFilterBlock(token.Line),
            "with" => ParseWith(token.Line),
            "print" => new PrintNode(token.Line, ParseTuple()),
            "generation" => new ScopeNode(token.Line, ParseStatements("endgeneration", dropEnd: true, soft: false)),
            "break" or "continue" => new LoopControlNode(token.Line, token.Text == "break"),
            _ => throw Error(token.Text.StartsWith("end", StringComparison.Ordinal) || token.Text is "else" or "elif"
                ? $"unexpected tag '{token.Text}'"
                : $"unknown tag '{token.Text}'"),
        };
    }

    /// <summary>Expects the end of the opening tag, then parses a body up to one of the end tags.</summary>
    private Node[] ParseStatements(string endTag, bool dropEnd, bool soft, params string[] otherEnds)
    {
        // jinja2 accepts a Python-style colon before the end of the opening tag: {% for x in xs: %}.
        if (Current.IsOperator(":")) _pos++;
        Expect(TokenKind.BlockEnd);
        var saved = _softFrame;
        _softFrame = soft;
        var body = ParseBody([endTag, .. otherEnds]);
        _softFrame = saved;
        if (dropEnd) _pos++;
        return body;
    }

    private IfNode ParseIf(int line)
    {
        var branches = new List<IfBranch>();
        var saved = _softFrame;
        _softFrame = true;
        while (true)
        {
            var test = ParseTuple(withCondExpr: false);
            var body = ParseStatements("endif", dropEnd: false, soft: true, "elif", "else");
            var end = Next();
            branches.Add(new IfBranch(test, body));
            if (end.Text == "elif") continue;
            var elseBody = end.Text == "else" ? ParseStatements("endif", dropEnd: true, soft: true) : [];
            _softFrame = saved;
            return new IfNode(line, [.. branches], elseBody);
        }
    }

    private ForNode ParseFor(int line)
    {
        var target = ParseAssignTarget(allowNamespace: false, endName: "in");
        ExpectName("in");
        var iterable = ParseTuple(withCondExpr: false, endName: "recursive");
        Expr? filter = null;
        if (SkipName("if")) filter = ParseExpression();
        var recursive = SkipName("recursive");
        var body = ParseStatements("endfor", dropEnd: false, soft: false, "else");
        var elseBody = Next().Text == "else" ? ParseStatements("endfor", dropEnd: true, soft: false) : [];
        return new ForNode(line, target, iterable, filter, recursive, body, elseBody);
    }

    private Node ParseSet(int line)
    {
        var target = ParseAssignTarget(allowNamespace: true);
        if (Current.IsOperator("="))
        {
            _pos++;
            return new SetNode(line, target, ParseTuple());
        }
        var filter = Current.IsOperator("|") ? ParseFilterChain(null) : null;
        return new SetBlockNode(line, target, filter, ParseStatements("endset", dropEnd: true, soft: false));
    }

    private MacroNode ParseMacro(int line)
    {
        var name = ExpectName();
        var parameters = ParseSignature();
        return ParseMacroBody(line, name, parameters, "endmacro");
    }

    private CallBlockNode ParseCallBlock(int line)
    {
        var callerParams = Current.IsOperator("(") ? ParseSignature() : [];
        if (ParseExpression() is not CallExpr call) throw Error("expected call");
        return new CallBlockNode(line, call, ParseMacroBody(line, "caller", callerParams, "endcall"));
    }

    private MacroNode ParseMacroBody(int line, string name, MacroParam[] parameters, string endTag)
    {
        var outer = _namesSeen;
        _namesSeen = [];
        var body = ParseStatements(endTag, dropEnd: true, soft: false);
        var seen = _namesSeen;
        _namesSeen = outer;
        outer.UnionWith(seen);
        return new MacroNode(line, name, parameters, body, seen.Contains("varargs"), seen.Contains("kwargs"), seen.Contains("caller"));
    }

    private FilterBlockNode ParseFilterBlock(int line)
    {
        var filter = ParseFilterChain(null, startInline: true);
        return new FilterBlockNode(line, filter, ParseStatements("endfilter", dropEnd: true, soft: false));
    }

    private WithNode ParseWith(int line)
    {
        var targets = new List<Target>();
        var values = new List<Expr>();
        while (Current.Kind != TokenKind.BlockEnd)
        {
            if (targets.Count > 0) ExpectOperator(",");
            targets.Add(ParseAssignTarget(allowNamespace: false));
            ExpectOperator("=");
            values.Add(ParseExpression());
        }
        return new WithNode(line, [.. targets], [.. values], ParseStatements("endwith", dropEnd: true, soft: false));
    }

    private MacroParam[] ParseSignature()
    {
        ExpectOperator("(");
        var parameters = new List<MacroParam>();
        while (!Current.IsOperator(")"))
        {
            if (parameters.Count > 0) ExpectOperator(",");
            if (Current.IsOperator(")")) break;
            var name = ExpectName();
            Expr? fallback = null;
            if (Current.IsOperator("="))
            {
                _pos++;
                fallback = ParseExpression();
            }
            else if (parameters.Count > 0 && parameters[^1].Default is not null)
                throw Error("parameter without a default follows parameter with a default");
            parameters.Add(new MacroParam(name, fallback));
        }
        _pos++;
        return [.. parameters];
    }

    /// <summary>A name, a tuple of names ("k, v"), or with allowNamespace a namespace attribute ("ns.x").</summary>
    private Target ParseAssignTarget(bool allowNamespace, string? endName = null)
    {
        var items = new List<Target>();
        var isTuple = false;
        while (true)
        {
            if (items.Count > 0) ExpectOperator(",");
            if (IsTupleEnd(endName) || Current.IsOperator("=") || Current.IsOperator("|")) break;
            var name = ExpectName();
            if (allowNamespace && Current.IsOperator("."))
            {
                _pos++;
                items.Add(new NamespaceTarget(name, ExpectName()));
            }
            else if (name is "true" or "false" or "True" or "False" or "none" or "None")
                throw Error($"can't assign to '{name}'");
            else items.Add(new NameTarget(name));
            if (!Current.IsOperator(",")) break;
            isTuple = true;
        }
        if (items.Count == 0) throw Error($"expected a name to assign to, got '{Current}'");
        return isTuple ? new TupleTarget([.. items]) : items[0];
    }

    private bool IsTupleEnd(string? endName = null) =>
        Current.Kind is TokenKind.VariableEnd or TokenKind.BlockEnd || Current.IsOperator(")") ||
        endName is not null && Current.IsName(endName);

    private void Expect(TokenKind kind)
    {
        if (Current.Kind != kind) throw Error($"expected {new Token(kind, null, 0)}, got '{Current}'");
        _pos++;
    }

    private void ExpectOperator(string op)
    {
        if (!Current.IsOperator(op)) throw Error($"expected '{op}', got '{Current}'");
        _pos++;
    }

    private string ExpectName(string? name = null)
    {
        if (Current.Kind != TokenKind.Name || name is not null && Current.Text != name)
            throw Error($"expected {(name is null ? "a name" : $"'{name}'")}, got '{Current}'");
        return Next().Text;
    }

    private bool SkipName(string name)
    {
        if (!Current.IsName(name)) return false;
        _pos++;
        return true;
    }

    private ChatTemplateException Error(string message) => new($"line {Current.Line}: {message}");
}
