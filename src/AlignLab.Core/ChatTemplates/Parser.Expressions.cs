namespace AlignLab.Core.ChatTemplates;

/// <summary>
/// Expression grammar, with jinja2's precedence from loosest to tightest: inline if, or, and, not, comparisons
/// (incl. in / not in), + -, ~, * / // %, **, unary - +, then primaries with postfix . [] () and | filters and
/// `is` tests. Filters bind tighter than arithmetic, so "messages|length - 1" is (messages|length) - 1.
/// </summary>
internal sealed partial class Parser
{
    // Unknown filters and tests outside a soft frame: jinja2 fails the whole template for them at compile time,
    // which happens after parsing, so the first one is thrown once the template has parsed.
    private readonly List<ChatTemplateException> _unknownNames = [];

    private static readonly HashSet<string> CompareOperators = ["==", "!=", "<", "<=", ">", ">="];

    private Expr ParseTuple(bool withCondExpr = true, string? endName = null, bool explicitParentheses = false)
    {
        var line = Current.Line;
        var items = new List<Expr>();
        var isTuple = false;
        while (true)
        {
            if (items.Count > 0) ExpectOperator(",");
            if (IsTupleEnd(endName)) break;
            items.Add(withCondExpr ? ParseExpression() : ParseOr());
            if (!Current.IsOperator(",")) break;
            isTuple = true;
        }
        if (!isTuple && items.Count == 1) return items[0];
        if (items.Count == 0 && !explicitParentheses) throw Error($"expected an expression, got '{Current}'");
        return new TupleExpr(line, [.. items]);
    }

    private Expr ParseExpression()
    {
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        var mark = _unknownNames.Count;
        var expr = ParseOr();
        while (Current.IsName("if"))
        {
            // The operand before `if` turned out to sit in an inline if, which jinja2 compiles as a soft frame.
            _unknownNames.RemoveRange(mark, _unknownNames.Count - mark);
            var line = Next().Line;
            var saved = _softFrame;
            _softFrame = true;
            var test = ParseOr();
            var otherwise = SkipName("else") ? ParseExpression() : null;
            _softFrame = saved;
            expr = new CondExpr(line, test, expr, otherwise);
        }
        return expr;
    }

    private Expr ParseOr()
    {
        var left = ParseAnd();
        while (Current.IsName("or")) left = new OrExpr(Next().Line, left, ParseAnd());
        return left;
    }

    private Expr ParseAnd()
    {
        var left = ParseNot();
        while (Current.IsName("and")) left = new AndExpr(Next().Line, left, ParseNot());
        return left;
    }

    private Expr ParseNot()
    {
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        return Current.IsName("not") ? new NotExpr(Next().Line, ParseNot()) : ParseCompare();
    }

    private Expr ParseCompare()
    {
        var line = Current.Line;
        var first = ParseMath1();
        var operators = new List<string>();
        var operands = new List<Expr>();
        while (true)
        {
            if (Current.Kind == TokenKind.Operator && CompareOperators.Contains(Current.Text)) operators.Add(Next().Text);
            else if (SkipName("in")) operators.Add("in");
            else if (Current.IsName("not") && Peek(1).IsName("in"))
            {
                _pos += 2;
                operators.Add("notin");
            }
            else break;
            operands.Add(ParseMath1());
        }
        return operators.Count == 0 ? first : new CompareExpr(line, first, [.. operators], [.. operands]);
    }

    private Expr ParseMath1()
    {
        var left = ParseConcat();
        while (Current.IsOperator("+") || Current.IsOperator("-"))
        {
            var op = Next();
            left = new BinaryExpr(op.Line, op.Text, left, ParseConcat());
        }
        return left;
    }

    private Expr ParseConcat()
    {
        var line = Current.Line;
        var items = new List<Expr> { ParseMath2() };
        while (Current.IsOperator("~"))
        {
            _pos++;
            items.Add(ParseMath2());
        }
        return items.Count == 1 ? items[0] : new ConcatExpr(line, [.. items]);
    }

    private Expr ParseMath2()
    {
        var left = ParsePow();
        while (Current.Kind == TokenKind.Operator && Current.Text is "*" or "/" or "//" or "%")
        {
            var op = Next();
            left = new BinaryExpr(op.Line, op.Text, left, ParsePow());
        }
        return left;
    }

    private Expr ParsePow()
    {
        var left = ParseUnary();
        while (Current.IsOperator("**"))
        {
            var op = Next();
            left = new BinaryExpr(op.Line, "**", left, ParseUnary());
        }
        return left;
    }

    private Expr ParseUnary(bool withFilter = true)
    {
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        Expr node;
        if (Current.IsOperator("-") || Current.IsOperator("+"))
        {
            var op = Next();
            node = new UnaryExpr(op.Line, op.Text[0], ParseUnary(withFilter: false));
        }
        else node = ParsePrimary();
        node = ParsePostfix(node);
        return withFilter ? ParseFilters(node) : node;
    }

    private Expr ParsePrimary()
    {
        var token = Next();
        switch (token.Kind)
        {
            case TokenKind.Name:
                return token.Text switch
                {
                    "true" or "True" => new ConstExpr(token.Line, true),
                    "false" or "False" => new ConstExpr(token.Line, false),
                    "none" or "None" => new ConstExpr(token.Line, null),
                    _ => Name(token),
                };
            case TokenKind.String:
                // Adjacent literals concatenate, as in Python: 'a' 'b' is 'ab'.
                var text = token.Text;
                while (Current.Kind == TokenKind.String) text += Next().Text;
                return new ConstExpr(token.Line, text);
            case TokenKind.Integer or TokenKind.Float:
                return new ConstExpr(token.Line, token.Value);
            case TokenKind.Operator when token.Text == "(":
                var inner = ParseTuple(explicitParentheses: true);
                ExpectOperator(")");
                return inner;
            case TokenKind.Operator when token.Text == "[":
                var items = new List<Expr>();
                while (!Current.IsOperator("]"))
                {
                    if (items.Count > 0) ExpectOperator(",");
                    if (Current.IsOperator("]")) break;
                    items.Add(ParseExpression());
                }
                _pos++;
                return new ListExpr(token.Line, [.. items]);
            case TokenKind.Operator when token.Text == "{":
                var keys = new List<Expr>();
                var values = new List<Expr>();
                while (!Current.IsOperator("}"))
                {
                    if (keys.Count > 0) ExpectOperator(",");
                    if (Current.IsOperator("}")) break;
                    keys.Add(ParseExpression());
                    ExpectOperator(":");
                    values.Add(ParseExpression());
                }
                _pos++;
                return new DictExpr(token.Line, [.. keys], [.. values]);
            default:
                _pos--;
                throw Error($"unexpected '{token}'");
        }
    }

    private NameExpr Name(Token token)
    {
        _namesSeen.Add(token.Text);
        return new NameExpr(token.Line, token.Text);
    }

    private Expr ParsePostfix(Expr node)
    {
        while (true)
        {
            if (Current.IsOperator(".")) node = ParseDotted(node);
            else if (Current.IsOperator("[")) node = ParseSubscript(node);
            else if (Current.IsOperator("(")) node = ParseCall(node);
            else return node;
        }
    }

    private Expr ParseDotted(Expr node)
    {
        var dot = Next();
        var token = Next();
        return token.Kind switch
        {
            TokenKind.Name => new GetAttrExpr(dot.Line, node, token.Text),
            TokenKind.Integer => new GetItemExpr(dot.Line, node, new ConstExpr(token.Line, token.Value)),
            _ => throw Error("expected name or number"),
        };
    }

    private Expr ParseSubscript(Expr node)
    {
        var open = Next();
        var keys = new List<Expr>();
        while (!Current.IsOperator("]"))
        {
            if (keys.Count > 0) ExpectOperator(",");
            keys.Add(ParseSubscribed());
        }
        _pos++;
        var key = keys.Count == 1 ? keys[0] : new TupleExpr(open.Line, [.. keys]);
        return new GetItemExpr(open.Line, node, key);
    }

    private Expr ParseSubscribed()
    {
        var line = Current.Line;
        Expr? start = null;
        if (!Current.IsOperator(":"))
        {
            start = ParseExpression();
            if (!Current.IsOperator(":")) return start;
        }
        _pos++;
        Expr? stop = null, step = null;
        if (!Current.IsOperator(":") && !Current.IsOperator("]") && !Current.IsOperator(",")) stop = ParseExpression();
        if (Current.IsOperator(":"))
        {
            _pos++;
            if (!Current.IsOperator("]") && !Current.IsOperator(",")) step = ParseExpression();
        }
        return new SliceExpr(line, start, stop, step);
    }

    private CallExpr ParseCall(Expr callee)
    {
        var line = Current.Line;
        var (args, kwargs) = ParseCallArgs();
        return new CallExpr(line, callee, args, kwargs);
    }

    private (Expr[] Args, KeywordArg[] Kwargs) ParseCallArgs()
    {
        ExpectOperator("(");
        var args = new List<Expr>();
        var kwargs = new List<KeywordArg>();
        while (!Current.IsOperator(")"))
        {
            if (args.Count + kwargs.Count > 0)
            {
                ExpectOperator(",");
                if (Current.IsOperator(")")) break;
            }
            if (Current.IsOperator("*") || Current.IsOperator("**")) throw Error("*args and **kwargs in calls are not supported");
            if (Current.Kind == TokenKind.Name && Peek(1).IsOperator("="))
            {
                var name = Next().Text;
                _pos++;
                kwargs.Add(new KeywordArg(name, ParseExpression()));
            }
            else
            {
                if (kwargs.Count > 0) throw Error("invalid syntax for function call expression (positional argument after keyword argument)");
                args.Add(ParseExpression());
            }
        }
        _pos++;
        return ([.. args], [.. kwargs]);
    }

    private Expr ParseFilters(Expr node)
    {
        while (true)
        {
            if (Current.IsOperator("|")) node = ParseFilterChain(node);
            else if (Current.IsName("is")) node = ParseTest(node);
            else if (Current.IsOperator("(")) node = ParseCall(node);
            else return node;
        }
    }

    /// <summary>One or more "| name(args)"; with startInline the first name comes without a pipe ({% filter %}).</summary>
    private FilterExpr ParseFilterChain(Expr? node, bool startInline = false)
    {
        FilterExpr? filter = null;
        while (Current.IsOperator("|") || startInline)
        {
            if (!startInline) _pos++;
            startInline = false;
            var line = Current.Line;
            var name = ParseDottedName();
            var (args, kwargs) = Current.IsOperator("(") ? ParseCallArgs() : ([], []);
            var function = Filters.Find(name);
            if (function is null) NoteUnknown(line, "filter", name);
            node = filter = new FilterExpr(line, node, name, function, args, kwargs);
        }
        return filter ?? throw Error("expected a filter");
    }

    private Expr ParseTest(Expr node)
    {
        var line = Next().Line;
        var negated = SkipName("not");
        var name = ParseDottedName();
        Expr[] args = [];
        KeywordArg[] kwargs = [];
        if (Current.IsOperator("(")) (args, kwargs) = ParseCallArgs();
        else if ((Current.Kind is TokenKind.Name or TokenKind.String or TokenKind.Integer or TokenKind.Float ||
                  Current.IsOperator("[") || Current.IsOperator("{")) &&
                 !Current.IsName("else") && !Current.IsName("or") && !Current.IsName("and"))
        {
            // jinja2 allows one bare argument: "x is divisibleby 3", "x is sameas none".
            if (Current.IsName("is")) throw Error("you cannot chain multiple tests with is");
            args = [ParsePostfix(ParsePrimary())];
        }
        var function = JinjaTests.Find(name);
        if (function is null) NoteUnknown(line, "test", name);
        Expr test = new TestExpr(line, node, name, function, args, kwargs);
        return negated ? new NotExpr(line, test) : test;
    }

    private string ParseDottedName()
    {
        var name = ExpectName();
        while (Current.IsOperator("."))
        {
            _pos++;
            name += "." + ExpectName();
        }
        return name;
    }

    private void NoteUnknown(int line, string kind, string name)
    {
        if (!_softFrame) _unknownNames.Add(new ChatTemplateException($"line {line}: no {kind} named '{name}'"));
    }
}
