namespace AlignLab.Core.ChatTemplates;

/// <summary>
/// Variables visible at one point of a render. jinja2 gives every for-loop iteration, macro call, with block and
/// set block a fresh scope (a set there is gone after it), while if blocks share their parent's scope; that is
/// why templates carry state out of loops with namespace().
/// </summary>
internal sealed class Scope(Scope? parent)
{
    private Dictionary<string, object?>? _variables;

    public bool TryGet(string name, out object? value)
    {
        for (var scope = this; scope is not null; scope = scope.Parent)
            if (scope._variables is not null && scope._variables.TryGetValue(name, out value)) return true;
        value = null;
        return false;
    }

    public Scope? Parent { get; } = parent;

    public void Set(string name, object? value) => (_variables ??= new(StringComparer.Ordinal))[name] = value;
}
