namespace AlignLab.Core.ChatTemplates;

/// <summary>The `loop` variable inside a for loop (jinja2's LoopContext); one instance advances per iteration.</summary>
internal sealed class LoopContext(List<object?> items, int depth) : IPyCallable
{
    private object? _lastChanged = Args.Missing;

    public List<object?> Items { get; } = items;

    public int Index0 { get; set; }

    /// <summary>Set in a recursive loop: renders the loop body over the given items one level deeper.</summary>
    public Func<object?, string>? Recurse { get; set; }

    public string Name => "loop";

    public object? Call(Interpreter interpreter, Args args) => Recurse is null
        ? throw new TemplateRuntimeError("the loop is not recursive; add 'recursive' to the for tag to call loop(...)")
        : Recurse(args.Bind("loop", "iterable")[0]);

    public object? GetAttribute(string name) => name switch
    {
        "index" => (long)Index0 + 1,
        "index0" => (long)Index0,
        "revindex" => (long)(Items.Count - Index0),
        "revindex0" => (long)(Items.Count - Index0 - 1),
        "first" => Index0 == 0,
        "last" => Index0 == Items.Count - 1,
        "length" => (long)Items.Count,
        "depth" => (long)depth,
        "depth0" => (long)depth - 1,
        "previtem" => Index0 > 0 ? Items[Index0 - 1] : new Undefined("there is no previous item"),
        "nextitem" => Index0 + 1 < Items.Count ? Items[Index0 + 1] : new Undefined("there is no next item"),
        "cycle" => new BuiltinFunction("cycle", (_, args) => Cycle(args)),
        "changed" => new BuiltinFunction("changed", (_, args) => Changed(args)),
        _ => Undefined.Attribute(this, name),
    };

    private object? Cycle(Args args)
    {
        if (args.Positional.Count == 0) throw new TemplateRuntimeError("no items for cycling given");
        return args.Positional[Index0 % args.Positional.Count];
    }

    // loop.changed(value) is true on the first call and whenever the value differs from the previous call's.
    private bool Changed(Args args)
    {
        var value = new PyTuple([.. args.Positional]);
        if (_lastChanged != Args.Missing && Py.Equal(_lastChanged, value)) return false;
        _lastChanged = value;
        return true;
    }
}
