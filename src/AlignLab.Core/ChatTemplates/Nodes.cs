namespace AlignLab.Core.ChatTemplates;

// The syntax tree the parser builds once per template and the interpreter walks on every render.
// Names follow jinja2/nodes.py so the two can be read side by side.

internal abstract record Node(int Line);

internal sealed record TextNode(int Line, string Text) : Node(Line);

internal sealed record PrintNode(int Line, Expr Value) : Node(Line);

internal sealed record IfBranch(Expr Test, Node[] Body);

internal sealed record IfNode(int Line, IfBranch[] Branches, Node[] Else) : Node(Line);

/// <summary>{% for %}; a recursive loop can call loop(children) in its body to render the body for nested items.</summary>
internal sealed record ForNode(int Line, Target Target, Expr Iterable, Expr? Filter, bool Recursive, Node[] Body, Node[] Else) : Node(Line);

internal sealed record SetNode(int Line, Target Target, Expr Value) : Node(Line);

/// <summary>{% set x %}body{% endset %}, optionally {% set x | filter %}: Filter's innermost operand is the body.</summary>
internal sealed record SetBlockNode(int Line, Target Target, FilterExpr? Filter, Node[] Body) : Node(Line);

internal sealed record MacroParam(string Name, Expr? Default);

/// <summary>
/// A macro; the flags record whether its body mentions varargs, kwargs or caller, since jinja2 accepts surplus
/// arguments or a caller only then.
/// </summary>
internal sealed record MacroNode(int Line, string Name, MacroParam[] Params, Node[] Body, bool CatchVarargs, bool CatchKwargs, bool UsesCaller) : Node(Line);

/// <summary>{% call(params) macro(args) %}body{% endcall %}: the macro receives Caller (the body) as `caller`.</summary>
internal sealed record CallBlockNode(int Line, CallExpr Call, MacroNode Caller) : Node(Line);

internal sealed record FilterBlockNode(int Line, FilterExpr Filter, Node[] Body) : Node(Line);

internal sealed record WithNode(int Line, Target[] Targets, Expr[] Values, Node[] Body) : Node(Line);

/// <summary>A body rendered in its own scope: transformers' {% generation %} block.</summary>
internal sealed record ScopeNode(int Line, Node[] Body) : Node(Line);

internal sealed record LoopControlNode(int Line, bool IsBreak) : Node(Line);

internal abstract record Target;

internal sealed record NameTarget(string Name) : Target;

internal sealed record TupleTarget(Target[] Items) : Target;

/// <summary>{% set ns.attr = ... %}: the only attribute assignment jinja2 allows.</summary>
internal sealed record NamespaceTarget(string Namespace, string Attribute) : Target;

internal abstract record Expr(int Line);

internal sealed record ConstExpr(int Line, object? Value) : Expr(Line);

internal sealed record NameExpr(int Line, string Name) : Expr(Line);

internal sealed record ListExpr(int Line, Expr[] Items) : Expr(Line);

internal sealed record TupleExpr(int Line, Expr[] Items) : Expr(Line);

internal sealed record DictExpr(int Line, Expr[] Keys, Expr[] Values) : Expr(Line);

internal sealed record GetAttrExpr(int Line, Expr Target, string Attribute) : Expr(Line);

internal sealed record GetItemExpr(int Line, Expr Target, Expr Key) : Expr(Line);

internal sealed record SliceExpr(int Line, Expr? Start, Expr? Stop, Expr? Step) : Expr(Line);

internal sealed record KeywordArg(string Name, Expr Value);

internal sealed record CallExpr(int Line, Expr Callee, Expr[] Args, KeywordArg[] Kwargs) : Expr(Line);

/// <summary>value | name(args). Function is null for an unknown filter that jinja2 only reports when reached.</summary>
internal sealed record FilterExpr(int Line, Expr? Operand, string Name, FilterFunction? Function, Expr[] Args, KeywordArg[] Kwargs) : Expr(Line);

internal sealed record TestExpr(int Line, Expr Operand, string Name, TestFunction? Function, Expr[] Args, KeywordArg[] Kwargs) : Expr(Line);

/// <summary>Arithmetic: + - * / // % ** (Operator holds the symbol).</summary>
internal sealed record BinaryExpr(int Line, string Operator, Expr Left, Expr Right) : Expr(Line);

internal sealed record UnaryExpr(int Line, char Operator, Expr Operand) : Expr(Line);

internal sealed record NotExpr(int Line, Expr Operand) : Expr(Line);

internal sealed record AndExpr(int Line, Expr Left, Expr Right) : Expr(Line);

internal sealed record OrExpr(int Line, Expr Left, Expr Right) : Expr(Line);

/// <summary>a ~ b ~ c: every operand is converted with str() and joined.</summary>
internal sealed record ConcatExpr(int Line, Expr[] Items) : Expr(Line);

/// <summary>A Python comparison chain: First op0 Rest[0] op1 Rest[1] ...; operators include "in" and "notin".</summary>
internal sealed record CompareExpr(int Line, Expr First, string[] Operators, Expr[] Rest) : Expr(Line);

internal sealed record CondExpr(int Line, Expr Test, Expr Then, Expr? Else) : Expr(Line);
