using AlignLab.Core.ChatTemplates;

namespace AlignLab.Core.Tests.ChatTemplates;

/// <summary>
/// What fails, when, and with which message: syntax and unsupported constructs at Parse, raise_exception and
/// Python-level errors (the ones jinja2 raises too) at Render.
/// </summary>
public class ErrorTests
{
    [Theory]
    [InlineData("{% extends 'base.html' %}", "line 1: the 'extends' tag is not supported")]
    [InlineData("a\n\n{% include 'other.jinja' %}", "line 3: the 'include' tag is not supported")]
    [InlineData("{% import 'macros' as m %}", "line 1: the 'import' tag is not supported")]
    [InlineData("{% do messages.append(1) %}", "line 1: unknown tag 'do'")] // jinja2's do extension is not enabled by transformers
    [InlineData("{{ foo(*args) }}", "line 1: *args and **kwargs in calls are not supported")]
    public void UnsupportedConstructsAreRefusedAtParseNamingTheConstructAndLine(string template, string message)
    {
        var error = Assert.Throws<ChatTemplateException>(() => ChatTemplate.Parse(template));
        Assert.Equal(message, error.Message);
    }

    [Theory]
    [InlineData("{% if true %}unclosed", "line 1: unexpected end of template, expected 'endif' or 'elif' or 'else'")]
    [InlineData("{{ 1 + }}", "line 1: unexpected 'end of print statement'")]
    [InlineData("ok\n{% endfor %}", "line 2: unexpected tag 'endfor'")]
    [InlineData("{# never closed", "line 1: missing end of comment tag")]
    [InlineData("{{ 'abc' | frobnicate }}", "line 1: no filter named 'frobnicate'")]
    [InlineData("{{ x is frobnicated }}", "line 1: no test named 'frobnicated'")]
    public void SyntaxErrorsFailAtParse(string template, string message)
    {
        var error = Assert.Throws<ChatTemplateException>(() => ChatTemplate.Parse(template));
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void UnknownFilterInsideAnIfFailsOnlyWhenReached()
    {
        // jinja2 defers unknown filters inside if blocks and inline ifs to run time.
        Assert.Equal("ok", Jinja.Render("{% if false %}{{ 'abc' | frobnicate }}{% endif %}ok"));
        Assert.Equal("fine", Jinja.Render("{{ 'abc' | frobnicate if false else 'fine' }}"));
        var error = Assert.Throws<ChatTemplateException>(() => Jinja.Render("{% if true %}\n{{ 'abc' | frobnicate }}{% endif %}"));
        Assert.Equal("line 2: no filter named 'frobnicate'", error.Message);
    }

    [Fact]
    public void RaiseExceptionCarriesTheTemplatesMessage()
    {
        const string template = "{% for m in messages %}{% if m.role == 'assistant' %}{{ raise_exception('Assistant turn ' ~ loop.index ~ ' is not allowed') }}{% endif %}{% endfor %}";
        var error = Assert.Throws<ChatTemplateException>(() => Jinja.Render(template));
        Assert.Equal("Assistant turn 3 is not allowed", error.Message);
    }

    [Theory]
    [InlineData("{{ foo.bar }}", "line 1: 'foo' is undefined")] // an attribute of undefined raises, as jinja2's Undefined does
    [InlineData("{{ x + 1 }}", "line 1: 'x' is undefined")]
    [InlineData("{{ 'hello'.frob() }}", "line 1: 'str object' has no attribute 'frob'")]
    [InlineData("{% set l = [1] %}{{ l.append(2) }}", "line 1: access to attribute 'append' of 'list' object is unsafe.")] // immutable sandbox
    [InlineData("{{ 'a' + 1 }}", "line 1: can only concatenate str (not \"int\") to str")]
    [InlineData("{{ 1 < 'a' }}", "line 1: '<' not supported between instances of 'int' and 'str'")]
    [InlineData("\n\n{{ 1 / 0 }}", "line 3: division by zero")]
    [InlineData("{{ [1, 2] | select('odd') | length }}", "line 1: object of type 'generator' has no len()")]
    [InlineData("{% for x in none %}{% endfor %}", "line 1: 'NoneType' object is not iterable")]
    [InlineData("{% set x = 1 %}{% set x.a = 1 %}", "line 1: cannot assign attribute on non-namespace object")]
    [InlineData("{{ x | tojson }}", "line 1: Object of type Undefined is not JSON serializable")]
    [InlineData("{{ messages[7].content }}", "line 1: list object has no element 7")]
    [InlineData("{{ messages[0][x:] }}", "line 1: unhashable type: 'slice'")] // a slice is plain Python subscription, without getitem's fallback
    [InlineData("{% macro m(a) %}{{ a }}{% endmacro %}{{ m(1, k=2) }}", "line 1: macro 'm' takes no keyword argument 'k'")] // the body never reads kwargs
    [InlineData("{% macro m(a) %}{{ a }}{% endmacro %}{{ m(1, 2) }}", "line 1: macro 'm' takes not more than 1 argument(s)")]
    public void RuntimeErrorsNameTheProblemAndLine(string template, string message)
    {
        var parsed = ChatTemplate.Parse(template);
        var error = Assert.Throws<ChatTemplateException>(() => parsed.Render(Jinja.Conversation, addGenerationPrompt: false));
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void UnsupportedVariableTypesAreRejected()
    {
        var template = ChatTemplate.Parse("{{ x }}");
        var variables = new Dictionary<string, object?> { ["x"] = new Uri("http://example.invalid") };
        Assert.Throws<ArgumentException>(() => template.Render([], addGenerationPrompt: false, variables));
    }
}
