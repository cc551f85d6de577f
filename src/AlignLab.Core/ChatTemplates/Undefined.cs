namespace AlignLab.Core.ChatTemplates;

/// <summary>jinja2's default Undefined: prints "", is falsy and iterates as empty; most other uses raise.</summary>
internal sealed class Undefined
{
    private readonly string? _hint;
    private readonly object? _owner;
    private readonly object? _name;
    private readonly bool _hasOwner;

    public Undefined(string hint) => _hint = hint;

    // Templates probe missing keys constantly (message.tool_calls is defined), so the message is only
    // formatted when an error actually needs it.
    private Undefined(object? owner, object? name, bool hasOwner) => (_owner, _name, _hasOwner) = (owner, name, hasOwner);

    public string Message => _hint ?? (!_hasOwner ? $"'{_name}' is undefined"
        : _name is string s ? $"'{Py.TypeName(_owner)} object' has no attribute '{s}'"
        : $"{Py.TypeName(_owner)} object has no element {PyRepr.Repr(_name)}");

    public static Undefined Named(string name) => new(null, name, hasOwner: false);

    public static Undefined Attribute(object? owner, object? name) => new(owner, name, hasOwner: true);

    public TemplateRuntimeError Fail() => new(Message);
}
