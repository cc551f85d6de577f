namespace AlignLab.Core.ChatTemplates;

/// <summary>
/// A {% macro %} (or the `caller` of a {% call %} block): renders its body in a new scope whose parent is the
/// scope it was defined in, and returns the output as a string. Argument binding follows jinja2's Macro.__call__.
/// </summary>
internal sealed class Macro(MacroNode node, Scope closure) : IPyCallable
{
    public string Name => node.Name;

    public object? Call(Interpreter interpreter, Args args)
    {
        var scope = new Scope(closure);
        var parameters = node.Params;
        var keywords = new PyDict();
        foreach (var (key, value) in args.Keywords) keywords.Set(key, value);
        for (var i = 0; i < parameters.Length; i++)
        {
            // Positional arguments fill the first parameters; keywords can only fill the ones after them.
            var name = parameters[i].Name;
            if (i < args.Positional.Count) scope.Set(name, args.Positional[i]);
            else if (keywords.TryGetValue(name, out var value)) scope.Set(name, Take(keywords, name, value));
            else scope.Set(name, parameters[i].Default is { } fallback
                ? interpreter.Eval(fallback, scope)
                : new Undefined($"parameter '{name}' was not provided"));
        }
        if (node.UsesCaller && !parameters.Any(p => p.Name == "caller"))
            scope.Set("caller", keywords.TryGetValue("caller", out var caller) ? Take(keywords, "caller", caller) : new Undefined("No caller defined"));
        if (node.CatchKwargs) scope.Set("kwargs", keywords);
        else if (keywords.Count > 0)
            throw new TemplateRuntimeError(keywords.ContainsKey("caller")
                ? $"macro '{Name}' was invoked with two values for the special caller argument. This is most likely a bug."
                : $"macro '{Name}' takes no keyword argument '{keywords.Keys.First()}'");
        if (node.CatchVarargs) scope.Set("varargs", new PyTuple(args.Positional.Skip(parameters.Length).ToArray()));
        else if (args.Positional.Count > parameters.Length)
            throw new TemplateRuntimeError($"macro '{Name}' takes not more than {parameters.Length} argument(s)");
        return interpreter.RenderMacroBody(node.Body, scope);
    }

    private static object? Take(PyDict keywords, string name, object? value)
    {
        keywords.Remove(name);
        return value;
    }
}
