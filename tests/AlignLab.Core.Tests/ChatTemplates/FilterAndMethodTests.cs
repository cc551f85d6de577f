namespace AlignLab.Core.Tests.ChatTemplates;

/// <summary>jinja2's filters (with transformers' tojson) and the Python str/dict methods templates call.</summary>
public class FilterAndMethodTests
{
    [Theory]
    [InlineData("{{ {'a': 1, 'b': [1, 2.5, none, true, 'x\"é\\n']} | tojson }}", "{\"a\": 1, \"b\": [1, 2.5, null, true, \"x\\\"é\\n\"]}")] // ", " and ": ", ensure_ascii=False
    [InlineData("{{ {'b': 1, 'a': {'c': []}} | tojson(indent=2) }}", "{\n  \"b\": 1,\n  \"a\": {\n    \"c\": []\n  }\n}")] // with indent the item separator is ","
    [InlineData("{{ {'b': 1, 'a': 2} | tojson(sort_keys=true) }} {{ '<&>' | tojson }}", "{\"a\": 2, \"b\": 1} \"<&>\"")] // no HTML escaping
    [InlineData("{{ 1.0 | tojson }} {{ 'é' | tojson(ensure_ascii=true) }} {{ {'a': 1} | tojson(separators=(',', ':')) }}", "1.0 \"\\u00e9\" {\"a\":1}")]
    public void ToJsonIsPythonJsonDumps(string template, string expected) => Assert.Equal(expected, Jinja.Render(template));

    [Theory]
    [InlineData("{{ '  a b  ' | trim }}|{{ 'xxaxx' | trim('x') }}|{{ 'hello world' | title }}|{{ 'hELLO' | capitalize }}|{{ 'Hi' | upper }}{{ 'Hi' | lower }}", "a b|a|Hello World|Hello|HIhi")]
    [InlineData("{{ [3,1,2] | sort }} {{ [3,1,2] | sort(reverse=true) }} {{ [1,2,2,1] | unique | list }} {{ [1,2,3] | reverse | list }} {{ [1,2,3] | first }}{{ [1,2,3] | last }}", "[1, 2, 3] [3, 2, 1] [1, 2] [3, 2, 1] 13")]
    [InlineData("{{ [1,2,3] | join(', ') }} {{ 'héllo' | length }} {{ x | default('dflt') }} {{ '' | default('e', true) }} {{ '42' | int + 1 }} {{ '3.5' | float }} {{ 2.675 | round(2) }}", "1, 2, 3 5 dflt e 43 3.5 2.67")]
    [InlineData("{{ 'line1\\nline2\\n\\nline4' | indent(2) }}|{{ 'a\\nb' | indent(2, true) }}", "line1\n  line2\n\n  line4|  a\n  b")]
    [InlineData("{{ [{'r': 'u', 'c': 1}, {'r': 's', 'c': 2}] | rejectattr('r', 'eq', 's') | map(attribute='c') | list }} {{ [1, 2, 3, 4] | select('odd') | list }}", "[1] [1, 3]")]
    [InlineData("{% if [] | select %}a generator is always true{% endif %}", "a generator is always true")]
    public void Filters(string template, string expected) => Assert.Equal(expected, Jinja.Render(template));

    [Theory]
    [InlineData("{{ '  x  '.strip() }}|{{ 'xxhixx'.strip('x') }}|{{ '\\n\\nhi\\n'.lstrip('\\n') }}|{{ 'a.b.c'.split('.') }}|{{ 'a b  c'.split() }}|{{ 'a.b.c'.rsplit('.', 1) }}", "x|hi|hi\n|['a', 'b', 'c']|['a', 'b', 'c']|['a.b', 'c']")]
    [InlineData("{{ 'hello'.startswith('he') }} {{ 'hello'.endswith(('x', 'lo')) }} {{ 'hello'.replace('l', 'L', 1) }} {{ 'hello'.find('l') }} {{ 'hello'.count('l') }} {{ '-'.join(['a', 'b']) }}", "True True heLlo 2 2 a-b")]
    [InlineData("{{ {'a': 1}.get('a') }} {{ {'a': 1}.get('b', 'd') }} {{ {'a': 1}.keys() | list }} {{ {'a': 1}.items() }} {{ range(1, 10, 3) | list }} {{ dict(a=1) }}", "1 d ['a'] dict_items([('a', 1)]) [1, 4, 7] {'a': 1}")]
    [InlineData("{{ '{} and {}'.format('a', 'b') }} {{ '%s is %d' | format('x', 4) }} {{ '%s-%s' % ('a', 'b') }}", "a and b x is 4 a-b")]
    public void PythonMethods(string template, string expected) => Assert.Equal(expected, Jinja.Render(template));
}
