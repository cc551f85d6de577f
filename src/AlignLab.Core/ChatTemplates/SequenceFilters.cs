namespace AlignLab.Core.ChatTemplates;

/// <summary>
/// Filters over sequences. Like jinja2, map/select/reject/selectattr/rejectattr/unique/items/batch/slice return
/// generators and reverse returns a reverse iterator: truthy even when empty, no length, single use; chat
/// templates add |list where they need a list, and output matches only if that quirk is kept.
/// </summary>
internal static partial class Filters
{
    private static void RegisterSequenceFilters(Dictionary<string, FilterFunction> registry)
    {
        registry["batch"] = Batch;
        registry["dictsort"] = DictSort;
        registry["first"] = First;
        registry["items"] = Items;
        registry["join"] = Join;
        registry["last"] = Last;
        registry["list"] = (_, v, a) => Py.ToList(v);
        registry["map"] = Map;
        registry["max"] = (_, v, a) => MinOrMax(v, a, "max");
        registry["min"] = (_, v, a) => MinOrMax(v, a, "min");
        registry["reject"] = (i, v, a) => Select(i, v, a, lookupAttribute: false, keep: false);
        registry["rejectattr"] = (i, v, a) => Select(i, v, a, lookupAttribute: true, keep: false);
        registry["reverse"] = Reverse;
        registry["select"] = (i, v, a) => Select(i, v, a, lookupAttribute: false, keep: true);
        registry["selectattr"] = (i, v, a) => Select(i, v, a, lookupAttribute: true, keep: true);
        registry["slice"] = SliceFilter;
        registry["sort"] = Sort;
        registry["sum"] = Sum;
        registry["unique"] = Unique;
    }

    private static PyIterator Generator(IEnumerable<object?> items) => new("generator", items.ToList());

    /// <summary>jinja2's make_attrgetter: "a.b.0" looks up a, then b, then index 0, each with getitem rules.</summary>
    private static Func<object?, object?> AttributeGetter(object? attribute, bool ignoreCase = false, object? fallback = null)
    {
        var parts = attribute switch
        {
            null => [],
            string s => s.Split('.').Select(p => p.Length > 0 && p.All(char.IsAsciiDigit) ? (object)long.Parse(p) : p).ToArray(),
            _ => [attribute],
        };
        return item =>
        {
            foreach (var part in parts)
            {
                item = Access.GetItem(item, part);
                if (fallback is not null && item is Undefined) item = fallback;
            }
            return ignoreCase && item is string s ? s.ToLowerInvariant() : item;
        };
    }

    private static object? Batch(Interpreter _, object? value, Args args)
    {
        var a = args.Bind("batch", "linecount", "fill_with");
        var size = (int)Py.ToLong(a[0]);
        var fill = Args.Or(a[1], null);
        var batches = Py.ToList(value).Chunk(Math.Max(1, size)).Select(chunk =>
        {
            var batch = chunk.ToList();
            while (fill is not null && batch.Count < size) batch.Add(fill);
            return (object?)batch;
        });
        return Generator(batches);
    }

    private static object? DictSort(Interpreter _, object? value, Args args)
    {
        var a = args.Bind("dictsort", "case_sensitive", "by", "reverse");
        var byValue = Args.Or(a[1], "key") switch
        {
            "key" => false,
            "value" => true,
            _ => throw new TemplateRuntimeError("You can only sort by either \"key\" or \"value\""),
        };
        var ignoreCase = !Py.Truthy(Args.Or(a[0], false));
        var dict = value as PyDict ?? throw new TemplateRuntimeError($"'{Py.TypeName(value)}' object has no attribute 'items'");
        object? Key(KeyValuePair<object?, object?> p) => (byValue ? p.Value : p.Key) is string s && ignoreCase ? s.ToLowerInvariant() : byValue ? p.Value : p.Key;
        return SortBy(dict, Key, Py.Truthy(Args.Or(a[2], false))).Select(p => (object?)new PyTuple([p.Key, p.Value])).ToList();
    }

    private static object? First(Interpreter _, object? value, Args args)
    {
        foreach (var item in Py.Iterate(value)) return item;
        return new Undefined("No first item, sequence was empty.");
    }

    private static object? Items(Interpreter _, object? value, Args args) => value switch
    {
        Undefined => Generator([]),
        PyDict dict => Generator(dict.Select(p => (object?)new PyTuple([p.Key, p.Value]))),
        _ => throw new TemplateRuntimeError("Can only get item pairs from a mapping."),
    };

    private static object? Join(Interpreter _, object? value, Args args)
    {
        var a = args.Bind("join", "d", "attribute");
        var items = Py.Iterate(value);
        if (Args.Or(a[1], null) is { } attribute) items = items.Select(AttributeGetter(attribute));
        return string.Join(PyRepr.Str(Args.Or(a[0], "")), items.Select(PyRepr.Str));
    }

    private static object? Last(Interpreter _, object? value, Args args)
    {
        if (value is PyIterator it) throw new TemplateRuntimeError($"'{it.TypeName}' object is not reversible");
        var items = Py.AsSequence(value);
        return items.Count > 0 ? items[^1] : new Undefined("No last item, sequence was empty.");
    }

    private static object? Map(Interpreter interpreter, object? value, Args args)
    {
        Func<object?, object?> transform;
        if (args.Positional.Count == 0 && args.Keywords.Any(k => k.Key == "attribute"))
        {
            var a = args.Bind("map", "attribute", "default");
            transform = AttributeGetter(a[0], fallback: Args.Or(a[1], null));
        }
        else
        {
            if (args.Positional.Count == 0) throw new TemplateRuntimeError("map requires a filter argument");
            var name = args.Positional[0] as string ?? throw new TemplateRuntimeError("map requires a filter name");
            var filter = Find(name) ?? throw new TemplateRuntimeError($"no filter named '{name}'");
            var rest = new Args(args.Positional.Skip(1).ToList(), args.Keywords);
            transform = item => filter(interpreter, item, rest);
        }
        return Generator(Py.Iterate(value).Select(transform));
    }

    private static object? MinOrMax(object? value, Args args, string name)
    {
        var a = args.Bind(name, "case_sensitive", "attribute");
        var key = AttributeGetter(Args.Or(a[1], null), ignoreCase: !Py.Truthy(Args.Or(a[0], false)));
        var items = Py.ToList(value);
        if (items.Count == 0) return new Undefined("No aggregated item, sequence was empty.");
        var best = items[0];
        foreach (var item in items.Skip(1))
        {
            var order = Py.Compare(key(item), key(best));
            if (name == "min" ? order < 0 : order > 0) best = item;
        }
        return best;
    }

    private static object? Select(Interpreter interpreter, object? value, Args args, bool lookupAttribute, bool keep)
    {
        var offset = lookupAttribute ? 1 : 0;
        if (lookupAttribute && args.Positional.Count == 0) throw new TemplateRuntimeError("Missing parameter for attribute name");
        var getter = lookupAttribute ? AttributeGetter(args.Positional[0]) : item => item;
        Func<object?, bool> test = Py.Truthy;
        if (args.Positional.Count > offset)
        {
            var name = args.Positional[offset] as string ?? throw new TemplateRuntimeError("test name must be a string");
            var function = JinjaTests.Find(name) ?? throw new TemplateRuntimeError($"no test named '{name}'");
            var rest = new Args(args.Positional.Skip(offset + 1).ToList(), args.Keywords);
            test = item => function(interpreter, item, rest);
        }
        // jinja2 skips the loop entirely for a falsy input, so an empty or undefined value yields nothing.
        var items = Py.Truthy(value) ? Py.Iterate(value) : [];
        return Generator(items.Where(item => test(getter(item)) == keep));
    }

    private static object? Reverse(Interpreter _, object? value, Args args) => value switch
    {
        string s => PyText.Slice(s, null, null, -1),
        List<object?> list => new PyIterator("list_reverseiterator", Enumerable.Reverse(list).ToList()),
        PyDict dict => new PyIterator("dict_reversekeyiterator", dict.Keys.Reverse().ToList()),
        PyDictView view => new PyIterator(view.TypeName.Replace("dict_", "dict_reverse")[..^1] + "iterator", Enumerable.Reverse(view.Items).ToList()),
        PyTuple or Undefined => new PyIterator("reversed", Py.ToList(value).AsEnumerable().Reverse().ToList()),
        _ => Py.ToList(value).AsEnumerable().Reverse().ToList(),
    };

    private static object? SliceFilter(Interpreter _, object? value, Args args)
    {
        var a = args.Bind("slice", "slices", "fill_with");
        var items = Py.ToList(value);
        var slices = (int)Py.ToLong(a[0]);
        var fill = Args.Or(a[1], null);
        var perSlice = items.Count / slices;
        var withExtra = items.Count % slices;
        var result = new List<object?>();
        var offset = 0;
        for (var n = 0; n < slices; n++)
        {
            var start = offset + n * perSlice;
            if (n < withExtra) offset++;
            var part = items.GetRange(start, offset + (n + 1) * perSlice - start);
            if (fill is not null && n >= withExtra) part.Add(fill);
            result.Add(part);
        }
        return Generator(result);
    }

    private static object? Sort(Interpreter _, object? value, Args args)
    {
        var a = args.Bind("sort", "reverse", "case_sensitive", "attribute");
        var ignoreCase = !Py.Truthy(Args.Or(a[1], false));
        var attributes = Args.Or(a[2], null) is string names ? names.Split(',').Cast<object?>().ToArray() : [Args.Or(a[2], null)];
        var getters = attributes.Select(attribute => AttributeGetter(attribute, ignoreCase)).ToArray();
        // The key is a list of the attribute values, compared element by element as Python compares lists.
        object? Key(object? item) => getters.Select(g => g(item)).ToList();
        return SortBy(Py.ToList(value), Key, Py.Truthy(Args.Or(a[0], false))).ToList();
    }

    // Python's sorted() is stable in both directions; LINQ's OrderBy/OrderByDescending are too.
    private static IEnumerable<T> SortBy<T>(IEnumerable<T> items, Func<T, object?> key, bool descending)
    {
        var comparer = Comparer<object?>.Create((x, y) => Py.Compare(x, y));
        return descending ? items.OrderByDescending(key, comparer) : items.OrderBy(key, comparer);
    }

    private static object? Sum(Interpreter _, object? value, Args args)
    {
        var a = args.Bind("sum", "attribute", "start");
        var items = Py.Iterate(value);
        if (Args.Or(a[0], null) is { } attribute) items = items.Select(AttributeGetter(attribute));
        return items.Aggregate(Args.Or(a[1], 0L), (total, item) => Operators.Binary("+", total, item));
    }

    private static object? Unique(Interpreter _, object? value, Args args)
    {
        var a = args.Bind("unique", "case_sensitive", "attribute");
        var key = AttributeGetter(Args.Or(a[1], null), ignoreCase: !Py.Truthy(Args.Or(a[0], false)));
        var seen = new PyDict();
        var unique = new List<object?>();
        foreach (var item in Py.Iterate(value))
        {
            var k = key(item);
            if (seen.ContainsKey(k)) continue;
            seen.Set(k, null);
            unique.Add(item);
        }
        return Generator(unique);
    }
}
