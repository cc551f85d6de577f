namespace AlignLab.Core.ChatTemplates;

/// <summary>
/// The Python methods templates call on str, dict, list and tuple (message.content.strip(), tools.items(), ...).
/// </summary>
internal static class Methods
{
    private static readonly HashSet<string> StringMethods =
    [
        "strip", "lstrip", "rstrip", "split", "rsplit", "splitlines", "startswith", "endswith", "replace", "upper",
        "lower", "title", "capitalize", "swapcase", "casefold", "find", "rfind", "index", "rindex", "count", "join",
        "isdigit", "isdecimal", "isnumeric", "isalpha", "isalnum", "isspace", "islower", "isupper", "center", "ljust",
        "rjust", "zfill", "partition", "rpartition", "removeprefix", "removesuffix", "format",
    ];

    private static readonly HashSet<string> DictMethods = ["items", "keys", "values", "get", "copy"];
    private static readonly HashSet<string> DictMutators = ["pop", "popitem", "setdefault", "update", "clear"];
    private static readonly HashSet<string> SequenceMethods = ["index", "count"];
    private static readonly HashSet<string> ListMutators = ["append", "extend", "insert", "pop", "remove", "reverse", "sort", "clear"];

    public static bool Has(object receiver, string name) => receiver switch
    {
        string => StringMethods.Contains(name),
        PyDict => DictMethods.Contains(name) || DictMutators.Contains(name),
        List<object?> => SequenceMethods.Contains(name) || ListMutators.Contains(name) || name == "copy",
        PyTuple => SequenceMethods.Contains(name),
        _ => false,
    };

    public static bool IsMutating(object receiver, string name) =>
        receiver is PyDict && DictMutators.Contains(name) || receiver is List<object?> && ListMutators.Contains(name);

    public static object? Call(object receiver, string name, Args args)
    {
        if (IsMutating(receiver, name))
            throw new TemplateRuntimeError($"access to attribute '{name}' of '{Py.TypeName(receiver)}' object is unsafe.");
        return receiver switch
        {
            string s => CallString(s, name, args),
            PyDict d => CallDict(d, name, args),
            _ => CallSequence((IReadOnlyList<object?>)receiver, name, args),
        };
    }

    private static object? CallDict(PyDict dict, string name, Args args)
    {
        switch (name)
        {
            case "items": args.Bind(name); return new PyDictView("dict_items", dict.Select(p => (object?)new PyTuple([p.Key, p.Value])).ToList());
            case "keys": args.Bind(name); return new PyDictView("dict_keys", dict.Keys.ToList());
            case "values": args.Bind(name); return new PyDictView("dict_values", dict.Values.ToList());
            case "copy":
                args.Bind(name);
                var copy = new PyDict();
                foreach (var (key, value) in dict) copy.Set(key, value);
                return copy;
            default:
                var a = args.Bind(name, "key", "default");
                if (Args.IsMissing(a[0])) throw new TemplateRuntimeError("get expected at least 1 argument, got 0");
                return dict.TryGetValue(a[0], out var found) ? found : Args.Or(a[1], null);
        }
    }

    private static object? CallSequence(IReadOnlyList<object?> items, string name, Args args)
    {
        if (name == "copy") return items.ToList();
        var a = args.Bind(name, "value");
        if (Args.IsMissing(a[0])) throw new TemplateRuntimeError($"{name}() takes exactly one argument (0 given)");
        if (name == "count") return (long)items.Count(item => Py.Equal(item, a[0]));
        for (var i = 0; i < items.Count; i++)
            if (Py.Equal(items[i], a[0])) return (long)i;
        throw new TemplateRuntimeError($"{PyRepr.Repr(a[0])} is not in list");
    }

    private static object? CallString(string s, string name, Args args)
    {
        switch (name)
        {
            case "strip" or "lstrip" or "rstrip":
                var chars = OptionalString(args.Bind(name, "chars")[0], name);
                return name == "strip" ? PyText.Strip(s, chars) : name == "lstrip" ? PyText.LStrip(s, chars) : PyText.RStrip(s, chars);
            case "split" or "rsplit":
                var split = args.Bind(name, "sep", "maxsplit");
                var sep = OptionalString(split[0], name);
                var maxSplit = Args.IsMissing(split[1]) ? -1 : Py.ToLong(split[1]);
                return name == "split" ? PyText.Split(s, sep, maxSplit) : PyText.RSplit(s, sep, maxSplit);
            case "splitlines":
                return PyText.SplitLines(s, Py.Truthy(Args.Or(args.Bind(name, "keepends")[0], false)));
            case "startswith" or "endswith":
                return Affix(s, name, args);
            case "replace":
                var r = args.Bind(name, "old", "new", "count");
                return Replace(s, RequireString(r[0], name), RequireString(r[1], name), Args.IsMissing(r[2]) ? -1 : Py.ToLong(r[2]));
            case "upper": return PyText.Upper(s);
            case "lower": return PyText.Lower(s);
            case "casefold": return PyText.Lower(s).Replace("ß", "ss");
            case "title": return PyText.Title(s);
            case "capitalize": return PyText.Capitalize(s);
            case "swapcase": return string.Concat(s.Select(c => char.IsUpper(c) ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c)));
            case "find" or "rfind" or "index" or "rindex" or "count":
                return Search(s, name, args);
            case "join":
                var parts = Py.Iterate(args.Bind(name, "iterable")[0]).Select((item, i) => item as string
                    ?? throw new TemplateRuntimeError($"sequence item {i}: expected str instance, {Py.TypeName(item)} found"));
                return string.Join(s, parts);
            case "isdigit" or "isdecimal" or "isnumeric": return s.Length > 0 && s.All(char.IsDigit);
            case "isalpha": return s.Length > 0 && s.All(char.IsLetter);
            case "isalnum": return s.Length > 0 && s.All(char.IsLetterOrDigit);
            case "isspace": return s.Length > 0 && s.All(PyText.IsSpace);
            case "islower": return s.Any(char.IsLower) && !s.Any(char.IsUpper);
            case "isupper": return s.Any(char.IsUpper) && !s.Any(char.IsLower);
            case "center" or "ljust" or "rjust":
                var pad = args.Bind(name, "width", "fillchar");
                var fill = Args.IsMissing(pad[1]) ? " " : RequireString(pad[1], name);
                if (fill.Length != 1) throw new TemplateRuntimeError("The fill character must be exactly one character long");
                return PyText.Pad(s, Py.ToLong(pad[0]), fill[0], name == "center" ? '^' : name == "ljust" ? '<' : '>');
            case "zfill":
                var width = Py.ToLong(args.Bind(name, "width")[0]);
                var signed = s.Length > 0 && s[0] is '+' or '-';
                var digits = PyText.Pad(signed ? s[1..] : s, width - (signed ? 1 : 0), '0', '>');
                return signed ? s[0] + digits : digits;
            case "partition" or "rpartition":
                var separator = RequireString(args.Bind(name, "sep")[0], name);
                if (separator.Length == 0) throw new TemplateRuntimeError("empty separator");
                var at = name == "partition" ? s.IndexOf(separator, StringComparison.Ordinal) : s.LastIndexOf(separator, StringComparison.Ordinal);
                if (at < 0) return name == "partition" ? new PyTuple([s, "", ""]) : new PyTuple(["", "", s]);
                return new PyTuple([s[..at], separator, s[(at + separator.Length)..]]);
            case "removeprefix":
                var prefix = RequireString(args.Bind(name, "prefix")[0], name);
                return s.StartsWith(prefix, StringComparison.Ordinal) ? s[prefix.Length..] : s;
            case "removesuffix":
                var suffix = RequireString(args.Bind(name, "suffix")[0], name);
                return suffix.Length > 0 && s.EndsWith(suffix, StringComparison.Ordinal) ? s[..^suffix.Length] : s;
            default:
                return PyFormat.Format(s, args);
        }
    }

    private static bool Affix(string s, string name, Args args)
    {
        var a = args.Bind(name, "prefix", "start", "end");
        var text = Args.IsMissing(a[1]) && Args.IsMissing(a[2])
            ? s
            : PyText.Slice(s, Args.Or(a[1], null) is { } start ? Py.ToLong(start) : null, Args.Or(a[2], null) is { } end ? Py.ToLong(end) : null, null);
        var candidates = a[0] is PyTuple tuple ? tuple.Items : [a[0]];
        foreach (var candidate in candidates)
        {
            if (candidate is not string affix)
                throw new TemplateRuntimeError($"{name} first arg must be str or a tuple of str, not {Py.TypeName(candidate)}");
            if (name == "startswith" ? text.StartsWith(affix, StringComparison.Ordinal) : text.EndsWith(affix, StringComparison.Ordinal)) return true;
        }
        return false;
    }

    // str.find/rfind/index/rindex/count with Python's index adjustment: start may lie past the end (no match).
    private static object Search(string s, string name, Args args)
    {
        var a = args.Bind(name, "sub", "start", "end");
        var sub = RequireString(a[0], name);
        var elements = PyText.Elements(s);
        long length = elements.Length;
        var start = Adjust(Args.Or(a[1], null), 0, clampToLength: false);
        var end = Adjust(Args.Or(a[2], null), length, clampToLength: true);
        var possible = start <= length && end - start >= PyText.Length(sub);
        var window = start < end ? string.Concat(elements[(int)start..(int)end]) : "";
        if (name == "count")
        {
            if (!possible) return 0L;
            if (sub.Length == 0) return PyText.Length(window) + 1L;
            long count = 0;
            for (var i = window.IndexOf(sub, StringComparison.Ordinal); i >= 0; i = window.IndexOf(sub, i + sub.Length, StringComparison.Ordinal)) count++;
            return count;
        }
        var forward = name is "find" or "index";
        var at = !possible ? -1
            : sub.Length == 0 ? (forward ? 0 : window.Length)
            : forward ? window.IndexOf(sub, StringComparison.Ordinal) : window.LastIndexOf(sub, StringComparison.Ordinal);
        if (at >= 0) return start + PyText.Length(window[..at]);
        return name is "find" or "rfind" ? -1L : throw new TemplateRuntimeError("substring not found");

        long Adjust(object? value, long fallback, bool clampToLength)
        {
            if (value is null) return fallback;
            var i = Py.ToLong(value);
            if (i < 0) i = Math.Max(0, i + length);
            return clampToLength ? Math.Min(i, length) : i;
        }
    }

    private static string Replace(string s, string old, string replacement, long count)
    {
        if (count < 0 && old.Length > 0) return s.Replace(old, replacement, StringComparison.Ordinal);
        var sb = new System.Text.StringBuilder();
        var done = 0L;
        var pos = 0;
        if (old.Length == 0)
        {
            // Python inserts the replacement before every character and at the end.
            foreach (var element in PyText.Elements(s))
            {
                if (count < 0 || done < count) { sb.Append(replacement); done++; }
                sb.Append(element);
            }
            if (count < 0 || done < count) sb.Append(replacement);
            return sb.ToString();
        }
        while (done < count)
        {
            var at = s.IndexOf(old, pos, StringComparison.Ordinal);
            if (at < 0) break;
            sb.Append(s, pos, at - pos).Append(replacement);
            pos = at + old.Length;
            done++;
        }
        return sb.Append(s, pos, s.Length - pos).ToString();
    }

    private static string? OptionalString(object? value, string method) => value == Args.Missing || value is null
        ? null
        : value as string ?? throw new TemplateRuntimeError($"{method} arg must be None or str");

    private static string RequireString(object? value, string method) =>
        value as string ?? throw new TemplateRuntimeError($"{method}() argument must be str, not {Py.TypeName(value)}");
}
