using System.Globalization;
using System.Text;

namespace AlignLab.Core.ChatTemplates;

/// <summary>
/// Walks the syntax tree and writes output. This half runs statements; Interpreter.Expressions.cs evaluates
/// expressions. One instance serves one render, so templates are safe to render from many threads at once.
/// </summary>
internal sealed partial class Interpreter
{
    // Deep enough for any real template; stops a self-recursive macro before it takes the process down.
    private const int MaxMacroDepth = 100;

    // A chat template renders a conversation in thousands of steps and characters; these stop one that would loop or grow
    // without end (nested range(100000) loops, a string repeated into gigabytes) before it takes the process with it.
    public const int MaxSteps = 2_000_000;
    public const int MaxOutputCharacters = 10_000_000;

    private int _steps;
    private int _line;
    private int _macroDepth;

    private enum Flow { Normal, Break, Continue }

    public static string Render(Node[] body, Scope root)
    {
        var interpreter = new Interpreter();
        var output = new StringBuilder(1024);
        try
        {
            interpreter.Execute(body, root, output);
        }
        catch (TemplateRuntimeError e)
        {
            throw new ChatTemplateException($"line {interpreter._line}: {e.Message}");
        }
        catch (OverflowException)
        {
            throw new ChatTemplateException($"line {interpreter._line}: integer overflow (Python integers are unbounded; this engine stops at 64 bits)");
        }
        catch (InsufficientExecutionStackException)
        {
            throw new ChatTemplateException($"line {interpreter._line}: the rendering recursed too deeply");
        }
        catch (Exception e) when (e is InvalidCastException or ArgumentException or IndexOutOfRangeException or NullReferenceException
                                      or KeyNotFoundException or FormatException or NotSupportedException or InvalidOperationException)
        {
            // Whatever a template does wrong is the template's error, never the caller's crash.
            throw new ChatTemplateException($"line {interpreter._line}: {e.Message}");
        }
        return output.ToString();
    }

    public string RenderMacroBody(Node[] body, Scope scope)
    {
        if (++_macroDepth > MaxMacroDepth) throw new TemplateRuntimeError("maximum macro recursion depth exceeded");
        var output = new StringBuilder();
        Execute(body, scope, output);
        _macroDepth--;
        return output.ToString();
    }

    private Flow Execute(Node[] nodes, Scope scope, StringBuilder output)
    {
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        foreach (var node in nodes)
        {
            _line = node.Line;
            if (++_steps > MaxSteps) throw new TemplateRuntimeError($"the rendering took more than {MaxSteps:N0} steps");
            if (output.Length > MaxOutputCharacters) throw new TemplateRuntimeError($"the rendering grew past {MaxOutputCharacters:N0} characters");
            switch (node)
            {
                case TextNode text:
                    output.Append(text.Text);
                    break;
                case PrintNode print:
                    Write(output, Eval(print.Value, scope));
                    break;
                case IfNode branches:
                    var flow = ExecuteIf(branches, scope, output);
                    if (flow != Flow.Normal) return flow;
                    break;
                case ForNode loop:
                    ExecuteFor(loop, scope, output);
                    break;
                case SetNode set:
                    Assign(set.Target, Eval(set.Value, scope), scope);
                    break;
                case SetBlockNode setBlock:
                    var captured = RenderChild(setBlock.Body, scope);
                    Assign(setBlock.Target, setBlock.Filter is null ? captured : ApplyFilterChain(setBlock.Filter, captured, scope), scope);
                    break;
                case MacroNode macro:
                    scope.Set(macro.Name, new Macro(macro, scope));
                    break;
                case CallBlockNode call:
                    Write(output, EvalCall(call.Call, scope, new Macro(call.Caller, scope)));
                    break;
                case FilterBlockNode filter:
                    Write(output, ApplyFilterChain(filter.Filter, RenderChild(filter.Body, scope), scope));
                    break;
                case WithNode with:
                    var values = with.Values.Select(v => Eval(v, scope)).ToArray();
                    var withScope = new Scope(scope);
                    for (var i = 0; i < values.Length; i++) Assign(with.Targets[i], values[i], withScope);
                    var withFlow = Execute(with.Body, withScope, output);
                    if (withFlow != Flow.Normal) return withFlow;
                    break;
                case ScopeNode block:
                    var blockFlow = Execute(block.Body, new Scope(scope), output);
                    if (blockFlow != Flow.Normal) return blockFlow;
                    break;
                case LoopControlNode control:
                    return control.IsBreak ? Flow.Break : Flow.Continue;
            }
        }
        return Flow.Normal;
    }

    private string RenderChild(Node[] body, Scope scope)
    {
        var output = new StringBuilder();
        Execute(body, new Scope(scope), output);
        return output.ToString();
    }

    private Flow ExecuteIf(IfNode node, Scope scope, StringBuilder output)
    {
        foreach (var branch in node.Branches)
            if (Py.Truthy(Eval(branch.Test, scope))) return Execute(branch.Body, scope, output);
        return Execute(node.Else, scope, output);
    }

    private void ExecuteFor(ForNode node, Scope scope, StringBuilder output) =>
        RunLoop(node, Eval(node.Iterable, scope), scope, output, depth: 1);

    private void RunLoop(ForNode node, object? iterable, Scope scope, StringBuilder output, int depth)
    {
        var items = Py.ToList(iterable);
        if (node.Filter is not null)
            items = items.Where(item =>
            {
                var filterScope = new Scope(scope);
                Assign(node.Target, item, filterScope);
                return Py.Truthy(Eval(node.Filter, filterScope));
            }).ToList();
        if (items.Count == 0)
        {
            Execute(node.Else, new Scope(scope), output);
            return;
        }
        var loop = new LoopContext(items, depth);
        if (node.Recursive)
            loop.Recurse = children =>
            {
                var nested = new StringBuilder();
                RunLoop(node, children, scope, nested, depth + 1);
                return nested.ToString();
            };
        for (var i = 0; i < items.Count; i++)
        {
            if (++_steps > MaxSteps) throw new TemplateRuntimeError($"the rendering took more than {MaxSteps:N0} steps");
            // A fresh scope per iteration: what the body sets does not survive into the next one (jinja2).
            var iteration = new Scope(scope);
            loop.Index0 = i;
            iteration.Set("loop", loop);
            Assign(node.Target, items[i], iteration);
            if (Execute(node.Body, iteration, output) == Flow.Break) break;
        }
    }

    private void Assign(Target target, object? value, Scope scope)
    {
        switch (target)
        {
            case NameTarget name:
                scope.Set(name.Name, value);
                break;
            case TupleTarget tuple:
                var items = Py.ToList(value);
                if (items.Count < tuple.Items.Length)
                    throw new TemplateRuntimeError($"not enough values to unpack (expected {tuple.Items.Length}, got {items.Count})");
                if (items.Count > tuple.Items.Length)
                    throw new TemplateRuntimeError($"too many values to unpack (expected {tuple.Items.Length})");
                for (var i = 0; i < items.Count; i++) Assign(tuple.Items[i], items[i], scope);
                break;
            case NamespaceTarget ns:
                if (!scope.TryGet(ns.Namespace, out var holder) || holder is not Namespace namespaceObject)
                    throw new TemplateRuntimeError("cannot assign attribute on non-namespace object");
                namespaceObject.Attributes[ns.Attribute] = value;
                break;
        }
    }

    private static void Write(StringBuilder output, object? value)
    {
        switch (value)
        {
            case string s: output.Append(s); break;
            case long l: output.Append(l.ToString(CultureInfo.InvariantCulture)); break;
            case Undefined: break;
            default: output.Append(PyRepr.Str(value)); break;
        }
    }
}
