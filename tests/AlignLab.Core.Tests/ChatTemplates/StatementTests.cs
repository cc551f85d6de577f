namespace AlignLab.Core.Tests.ChatTemplates;

/// <summary>Loops, assignments and their scoping, macros and the other block tags.</summary>
public class StatementTests
{
    [Theory]
    [InlineData("{% for x in [10,20,30] %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }}|{% endfor %}",
        "1032TrueFalse3|2121FalseFalse3|3210FalseTrue3|")]
    [InlineData("{% for x in [1,2,3] %}{{ loop.previtem }}-{{ loop.nextitem }},{% endfor %}", "-2,1-3,2-,")]
    [InlineData("{% for x in [1,2,3,4,5] if x is odd %}{{ x }}{{ loop.last }}{% else %}none{% endfor %}", "1False3False5True")] // the filter runs first
    [InlineData("{% for x in [] %}{{ x }}{% else %}empty{% endfor %}", "empty")]
    [InlineData("{% for k, v in {'b': 1, 'a': 2}.items() %}{{ k }}={{ v }};{% endfor %}", "b=1;a=2;")] // dicts keep insertion order
    [InlineData("{% for x in range(10) %}{% if x == 2 %}{% continue %}{% endif %}{% if x == 5 %}{% break %}{% endif %}{{ x }}{% endfor %}", "0134")]
    [InlineData("{% for a in [1,2] %}{% for b in [3,4] %}{{ loop.index }}{{ a }}{{ b }} {% endfor %}{{ loop.index }};{% endfor %}", "113 214 1;123 224 2;")]
    [InlineData("{% for x in [1,2,3] %}{{ loop.cycle('odd','even') }}{% endfor %}", "oddevenodd")]
    [InlineData("{% for n in [{'v': 1, 'c': [{'v': 2, 'c': []}]}] recursive %}<{{ n.v }}@{{ loop.depth }}{{ loop(n.c) }}>{% endfor %}", "<1@1<2@2>>")]
    [InlineData("{% for m in messages[::-1] %}{{ m.role[0] }}{% endfor %} {{ messages | selectattr('role', 'equalto', 'user') | map(attribute='content') | join(',') }}", "uaus Q1,Q2")]
    public void Loops(string template, string expected) => Assert.Equal(expected, Jinja.Render(template));

    [Theory]
    [InlineData("{% set x = 'outer' %}{% for i in [1,2] %}{{ x }}{% set x = i %}{{ x }}{% endfor %}{{ x }}", "outer1outer2outer")]
    [InlineData("{% if true %}{% set z = 3 %}{% endif %}{{ z }}", "3")] // if shares its parent's scope
    [InlineData("{% with a = 1, b = 2 %}{{ a + b }}{% endwith %}[{{ a }}]", "3[]")]
    [InlineData("{% set ns = namespace(count=0, found=false) %}{% for i in range(3) %}{% set ns.count = ns.count + i %}{% if i == 1 %}{% set ns.found = true %}{% endif %}{% endfor %}{{ ns.count }} {{ ns.found }} {{ ns }}",
        "3 True <Namespace {'count': 3, 'found': True}>")] // namespace is how state leaves a loop
    [InlineData("{% set a, b = 1, 2 %}{{ a }}{{ b }}", "12")]
    [InlineData("{% set x %}captured {{ 1 + 1 }}{% endset %}[{{ x }}]", "[captured 2]")]
    [InlineData("{% set x | upper %}shout{% endset %}{{ x }}", "SHOUT")]
    public void AssignmentsAndScopes(string template, string expected) => Assert.Equal(expected, Jinja.Render(template));

    [Theory]
    [InlineData("{% macro greet(name, punct='!') %}Hi {{ name }}{{ punct }}{% endmacro %}{{ greet('Bob') }} {{ greet('Al', punct='?') }}", "Hi Bob! Hi Al?")]
    [InlineData("{% macro wrap() %}<{{ caller() }}>{% endmacro %}{% call wrap() %}inner{% endcall %}", "<inner>")]
    [InlineData("{% macro m() %}[{{ caller('A', 'B') }}]{% endmacro %}{% call(x, y) m() %}{{ y }}{{ x }}{% endcall %}", "[BA]")]
    [InlineData("{% macro m(a, b=a ~ '!') %}{{ a }}{{ b }}{% endmacro %}{{ m('x') }}{{ m() }}|", "xx!!|")] // a default sees earlier parameters
    [InlineData("{% macro m(x) %}{{ x }}{{ varargs }}{{ kwargs }}{% endmacro %}{{ m(1, 2, 3, k=4) }}", "1(2, 3){'k': 4}")]
    [InlineData("{% filter upper %}hello {{ 'world' }}{% endfilter %}", "HELLO WORLD")]
    public void MacrosCallAndFilterBlocks(string template, string expected) => Assert.Equal(expected, Jinja.Render(template));

    [Fact]
    public void MessagesAreMappingsWhoseMissingKeysAreUndefined()
    {
        var rendered = Jinja.Render("{% for m in messages %}{{ m.role }}:{{ m['content'] }}|{{ m.reasoning_content }}|{{ m.tool_calls is defined }};{% endfor %}");
        Assert.Equal("system:Sys||False;user:Q1||False;assistant:A1||False;user:Q2||False;", rendered);
    }

    [Fact]
    public void VariablesBecomePythonValues()
    {
        var variables = new Dictionary<string, object?>
        {
            ["enable_thinking"] = false,
            ["n"] = 41,
            ["f"] = 0.25,
            ["big"] = 10_000_000_000L,
            ["tools"] = new List<object?> { new Dictionary<string, object?> { ["name"] = "x", ["args"] = new Dictionary<string, object?> { ["a"] = 1, ["b"] = new object?[] { true, null, "s" } } } },
            ["none_value"] = null,
            ["names"] = new[] { "a", "b" },
        };
        var rendered = Jinja.Render("{{ enable_thinking }} {{ n + 1 }} {{ f * 2 }} {{ big }} {{ tools | tojson }} {{ tools[0].args.a }} {{ none_value is none }} {{ documents is none }} {{ names | join('+') }}", variables);
        // documents is None, not undefined: apply_chat_template always passes tools and documents.
        Assert.Equal("False 42 0.5 10000000000 [{\"name\": \"x\", \"args\": {\"a\": 1, \"b\": [true, null, \"s\"]}}] 1 True True a+b", rendered);
    }

    [Fact]
    public void StrftimeNowFormatsTheCurrentDateLikePython()
    {
        // Llama 3.x templates write the date with "%d %b %Y"; "%-d" is glibc's unpadded day.
        var before = DateTime.Now;
        var rendered = Jinja.Render("{{ strftime_now('%d %b %Y|%-d|%Y-%m-%d') }}");
        var after = DateTime.Now;
        string Expected(DateTime t) => t.ToString("dd MMM yyyy", System.Globalization.CultureInfo.InvariantCulture) + "|" + t.Day + "|" + t.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains(rendered, new[] { Expected(before), Expected(after) });
    }

    [Fact]
    public void ParsedTemplateRendersManyTimesWithDifferentInputs()
    {
        const string source = "{% for m in messages %}{{ m.content }}{% endfor %}{% if add_generation_prompt %}>{% endif %}";
        var template = AlignLab.Core.ChatTemplates.ChatTemplate.Parse(source);
        Assert.Equal("SysQ1A1Q2>", template.Render(Jinja.Conversation, addGenerationPrompt: true));
        Assert.Equal("x", template.Render([new("user", "x")], addGenerationPrompt: false));
        Assert.Equal(source, template.Source);
    }
}
