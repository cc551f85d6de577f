namespace AlignLab.Core.ChatTemplates;

/// <summary>The arguments of a call, filter or test, bound to parameter names the way Python binds them.</summary>
internal sealed class Args(List<object?> positional, List<KeyValuePair<string, object?>>? keywords)
{
    /// <summary>Marks a parameter that the caller did not pass, so a default can tell it apart from None.</summary>
    public static readonly object Missing = new();

    public static readonly Args None = new([], null);

    public List<object?> Positional { get; } = positional;

    public List<KeyValuePair<string, object?>> Keywords { get; } = keywords ?? [];

    public static Args Of(params object?[] positional) => new([.. positional], null);

    /// <summary>Returns one slot per name: the positional or keyword value passed for it, or <see cref="Missing"/>.</summary>
    public object?[] Bind(string callee, params ReadOnlySpan<string> names)
    {
        if (Positional.Count > names.Length)
            throw new TemplateRuntimeError($"{callee}() takes at most {names.Length} arguments ({Positional.Count} given)");
        var slots = new object?[names.Length];
        for (var i = 0; i < names.Length; i++) slots[i] = i < Positional.Count ? Positional[i] : Missing;
        foreach (var (name, value) in Keywords)
        {
            var index = names.IndexOf(name);
            if (index < 0) throw new TemplateRuntimeError($"{callee}() got an unexpected keyword argument '{name}'");
            if (slots[index] != Missing) throw new TemplateRuntimeError($"{callee}() got multiple values for argument '{name}'");
            slots[index] = value;
        }
        return slots;
    }

    public static object? Or(object? slot, object? fallback) => slot == Missing ? fallback : slot;

    public static bool IsMissing(object? slot) => slot == Missing;
}
