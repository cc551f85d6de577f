namespace AlignLab.Core.ChatTemplates;

/// <summary>Expression evaluation: Python semantics come from Py, Operators, Access, Methods, Filters and tests.</summary>
internal sealed partial class Interpreter
{
    public object? Eval(Expr expr, Scope scope)
    {
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        switch (expr)
        {
            case ConstExpr c:
                return c.Value;
            case NameExpr n:
                return scope.TryGet(n.Name, out var value) ? value : Undefined.Named(n.Name);
            case GetAttrExpr g:
                return Access.GetAttribute(Eval(g.Target, scope), g.Attribute);
            case GetItemExpr g when g.Key is SliceExpr slice:
                return Access.GetSlice(Eval(g.Target, scope), Bound(slice.Start), Bound(slice.Stop), Bound(slice.Step));
            case GetItemExpr g:
                return Access.GetItem(Eval(g.Target, scope), Eval(g.Key, scope));
            case CallExpr call:
                return EvalCall(call, scope, caller: null);
            case FilterExpr filter:
                return ApplyFilter(filter, Eval(filter.Operand!, scope), scope);
            case TestExpr test:
                if (test.Function is null) throw new TemplateRuntimeError($"no test named '{test.Name}'");
                return test.Function(this, Eval(test.Operand, scope), EvalArgs(test.Args, test.Kwargs, scope));
            case BinaryExpr b:
                return Operators.Binary(b.Operator, Eval(b.Left, scope), Eval(b.Right, scope));
            case UnaryExpr u:
                return Operators.Unary(u.Operator, Eval(u.Operand, scope));
            case NotExpr n:
                return !Py.Truthy(Eval(n.Operand, scope));
            case AndExpr a:
                var left = Eval(a.Left, scope);
                return Py.Truthy(left) ? Eval(a.Right, scope) : left;
            case OrExpr o:
                var first = Eval(o.Left, scope);
                return Py.Truthy(first) ? first : Eval(o.Right, scope);
            case ConcatExpr c:
                var parts = new string[c.Items.Length];
                for (var i = 0; i < parts.Length; i++) parts[i] = PyRepr.Str(Eval(c.Items[i], scope));
                return string.Concat(parts);
            case CompareExpr c:
                return EvalCompare(c, scope);
            case CondExpr c:
                if (Py.Truthy(Eval(c.Test, scope))) return Eval(c.Then, scope);
                return c.Else is null
                    ? new Undefined($"the inline if-expression on line {c.Line} evaluated to false and no else section was defined.")
                    : Eval(c.Else, scope);
            case ListExpr list:
                return list.Items.Select(item => Eval(item, scope)).ToList();
            case TupleExpr tuple:
                return new PyTuple(tuple.Items.Select(item => Eval(item, scope)).ToArray());
            case DictExpr dict:
                var result = new PyDict();
                for (var i = 0; i < dict.Keys.Length; i++) result.Set(Eval(dict.Keys[i], scope), Eval(dict.Values[i], scope));
                return result;
            default:
                throw new TemplateRuntimeError($"cannot evaluate {expr.GetType().Name}");
        }

        object? Bound(Expr? e) => e is null ? null : Eval(e, scope);
    }

    private object? EvalCompare(CompareExpr c, Scope scope)
    {
        // Python chains comparisons: a < b < c means a < b and b < c, evaluating b once.
        var left = Eval(c.First, scope);
        for (var i = 0; i < c.Operators.Length; i++)
        {
            var right = Eval(c.Rest[i], scope);
            var holds = c.Operators[i] switch
            {
                "==" => Py.Equal(left, right),
                "!=" => !Py.Equal(left, right),
                "in" => Py.Contains(right, left),
                "notin" => !Py.Contains(right, left),
                "<" => Py.Compare(left, right, "<") < 0,
                "<=" => Py.Compare(left, right, "<=") <= 0,
                ">" => Py.Compare(left, right, ">") > 0,
                _ => Py.Compare(left, right, ">=") >= 0,
            };
            if (!holds) return false;
            left = right;
        }
        return true;
    }

    private object? EvalCall(CallExpr call, Scope scope, Macro? caller)
    {
        var args = EvalArgs(call.Args, call.Kwargs, scope);
        if (caller is not null) args.Keywords.Add(new("caller", caller));
        object? callee;
        if (call.Callee is GetAttrExpr method)
        {
            // Method calls skip allocating a bound method: "text.strip()" goes straight to the str method.
            var receiver = Eval(method.Target, scope);
            if (receiver is not null && Methods.Has(receiver, method.Attribute)) return Methods.Call(receiver, method.Attribute, args);
            callee = Access.GetAttribute(receiver, method.Attribute);
        }
        else callee = Eval(call.Callee, scope);
        return callee switch
        {
            IPyCallable function => function.Call(this, args),
            Undefined undefined => throw undefined.Fail(),
            _ => throw new TemplateRuntimeError($"'{Py.TypeName(callee)}' object is not callable"),
        };
    }

    private Args EvalArgs(Expr[] args, KeywordArg[] kwargs, Scope scope)
    {
        if (args.Length == 0 && kwargs.Length == 0) return new Args([], null);
        var positional = new List<object?>(args.Length);
        foreach (var arg in args) positional.Add(Eval(arg, scope));
        List<KeyValuePair<string, object?>>? keywords = null;
        foreach (var kwarg in kwargs) (keywords ??= []).Add(new(kwarg.Name, Eval(kwarg.Value, scope)));
        return new Args(positional, keywords);
    }

    private object? ApplyFilter(FilterExpr filter, object? value, Scope scope)
    {
        if (filter.Function is null) throw new TemplateRuntimeError($"no filter named '{filter.Name}'");
        return filter.Function(this, value, EvalArgs(filter.Args, filter.Kwargs, scope));
    }

    /// <summary>Applies a filter chain whose innermost operand is a block's rendered body ({% filter %}, {% set x | f %}).</summary>
    private object? ApplyFilterChain(FilterExpr filter, object? body, Scope scope)
    {
        var input = filter.Operand is FilterExpr inner ? ApplyFilterChain(inner, body, scope) : body;
        return ApplyFilter(filter, input, scope);
    }
}
