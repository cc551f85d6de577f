namespace AlignLab.Core.Tests.ChatTemplates;

/// <summary>Python semantics inside {{ }}: how values print, arithmetic, comparisons, slicing and `is` tests.</summary>
public class ExpressionTests
{
    [Theory]
    [InlineData("{{ [1, 'a', none, true, 1.5, {'k': [1, 2]}] }} {{ (1,) }} {{ (1, 2) }}", "[1, 'a', None, True, 1.5, {'k': [1, 2]}] (1,) (1, 2)")]
    [InlineData("{{ true }} {{ none }} {{ false }} {{ 1.0 }} {{ 1e20 }} {{ 1e-5 }} {{ 0.1 + 0.2 }} {{ 10 / 4 }}", "True None False 1.0 1e+20 1e-05 0.30000000000000004 2.5")]
    [InlineData("{{ ['it\\'s', \"q\\\"\", 'x\\ty', 'é'] }}", "[\"it's\", 'q\"', 'x\\ty', 'é']")] // repr picks its quotes like CPython
    [InlineData("{{ 'a\\tb\\u00e9\\x41\\d' }}", "a\tbéA\\d")] // Python escapes; an unknown one keeps its backslash
    public void ValuesPrintAsPythonStr(string template, string expected) => Assert.Equal(expected, Jinja.Render(template));

    [Theory]
    [InlineData("{{ 7 // 2 }} {{ -7 // 2 }} {{ -7 % 3 }} {{ 2 ** 10 }} {{ 'ab' * 2 }} {{ [1, 2] + [3] }} {{ 'a' ~ 1 ~ none }}", "3 -4 2 1024 abab [1, 2, 3] a1None")]
    [InlineData("{{ 1 < 2 < 3 }} {{ 'a' in 'abc' }} {{ 'z' not in ['a'] }} {{ 1 == 1.0 }} {{ none or 'x' }} {{ 0 and 'y' }}", "True True True True x 0")]
    [InlineData("{{ 'yes' if true else 'no' }} [{{ 'yes' if false }}]", "yes []")]
    [InlineData("{{ messages|length - 1 }} {{ 'x' + messages[0].content | upper }}", "3 xSYS")] // a filter binds tighter than + and -
    public void Operators(string template, string expected) => Assert.Equal(expected, Jinja.Render(template));

    [Theory]
    [InlineData("{{ [1,2,3][::2] }} {{ 'hello'[1:-1] }} {{ 'hello'[-3:] }} {{ [1,2,3,4][3:0:-1] }} {{ 'abc'[::-1] }} {{ [1,2,3][-1] }}", "[1, 3] ell llo [4, 3, 2] cba 3")]
    [InlineData("{{ {'a': 1}['b'] }}|{{ [1,2][5] }}|{{ none.foo }}", "||")] // a miss is undefined, which prints nothing
    [InlineData("{{ 'a👋b'[1] }}{{ 'a👋b'[::-1] }}{{ 'a👋b' | length }}", "👋b👋a3")] // Python counts code points, not UTF-16 units
    public void IndexingAndSlicing(string template, string expected) => Assert.Equal(expected, Jinja.Render(template));

    [Theory]
    [InlineData("{{ x is defined }} {{ none is none }} {{ 1 is number }} {{ true is integer }} {{ 'a' is string }} {{ {} is mapping }} {{ 'a' is iterable }} {{ 1 is iterable }}",
        "False True True False True True True False")]
    [InlineData("{{ 2 is even }} {{ 3 is odd }} {{ true is boolean }} {{ false is false }} {{ 6 is divisibleby 3 }} {{ 1 is not none }} {{ range is callable }}",
        "True True True True True True True")]
    public void Tests(string template, string expected) => Assert.Equal(expected, Jinja.Render(template));
}
