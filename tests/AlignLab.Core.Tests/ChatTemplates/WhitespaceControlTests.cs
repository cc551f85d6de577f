namespace AlignLab.Core.Tests.ChatTemplates;

/// <summary>
/// Whitespace decides byte-identity: transformers renders with trim_blocks (drop the newline after a block tag)
/// and lstrip_blocks (drop the indentation before a block tag), on top of the explicit -/+ markers.
/// </summary>
public class WhitespaceControlTests
{
    [Theory]
    [InlineData("a  {%- if true -%}  b  {%- endif -%}  c", "abc")] // '-' strips all whitespace on its side
    [InlineData("a\n  {% if true %}\n    b\n  {% endif %}\nc\n", "a\n    b\nc")] // lstrip_blocks + trim_blocks: tag lines vanish
    [InlineData("  {{- 'x' -}}  \n y", "xy")]
    [InlineData("line1\n    {# comment #}\nline2\n  {#- c2 -#}  \nline3", "line1\nline2line3")] // comments strip like blocks
    [InlineData("{% for i in range(3) %}\n  {{ i }}\n{% endfor %}\n", "  0\n  1\n  2\n")] // {{ }} is never lstripped
    [InlineData("{% for i in range(3) -%}\n  {{ i }}\n{%- endfor %}", "012")]
    [InlineData("{%+ if true %}x{% endif +%}\ny", "x\ny")] // '+' turns trim_blocks off
    [InlineData("  {%+ if true %}x{% endif %}\ny", "  xy")] // '+' turns lstrip_blocks off
    [InlineData("{% if true %}   \nA{% endif %}", "   \nA")] // trim_blocks takes a newline only right after the tag
    [InlineData("x {% if true %}\ny{% endif %}\n\nz", "x y\nz")] // lstrip only where the tag starts its line
    [InlineData("  {% if true %}  inline  {% endif %}  \n  next", "  inline    \n  next")]
    [InlineData("{{ 'a' }}\n{{ 'b' }}\n", "a\nb")]
    [InlineData("a {#- comment #} b {# c -#} d", "a b d")]
    [InlineData("{{- ' x ' -}}\n\n{#- y -#}\n\n{%- if true -%} z {%- endif -%}", " x z")]
    [InlineData("<{% for i in [1, 2] %}\n  <{{ i }}>\n{% endfor %}>", "<  <1>\n  <2>\n>")]
    public void BlockAndMarkerStripping(string template, string expected) => Assert.Equal(expected, Jinja.Render(template));

    [Theory]
    [InlineData("a\r\nb\r\n{% if true %}\r\nc{% endif %}\r\n", "a\nb\nc")]
    [InlineData("trailing newline\n\n", "trailing newline\n")] // keep_trailing_newline=False drops exactly one
    public void NewlinesAreNormalisedAndOneTrailingNewlineDropped(string template, string expected) =>
        Assert.Equal(expected, Jinja.Render(template));

    [Theory]
    [InlineData("{% raw %}{{ not rendered }}{% endraw %}", "{{ not rendered }}")]
    [InlineData("  {% raw %}\n  {{ x }}\n  {% endraw %}\nend", "\n  {{ x }}\nend")] // no trim_blocks after {% raw %} itself
    public void RawBlocksAreCopiedVerbatim(string template, string expected) => Assert.Equal(expected, Jinja.Render(template));

    [Theory]
    [InlineData("{% generation %}gen {{ 1 }}{% endgeneration %}|", "gen 1|")]
    [InlineData("A\n{% generation %}\nB\n{% endgeneration %}\nC", "A\nB\nC")]
    public void GenerationTagRendersItsBody(string template, string expected) => Assert.Equal(expected, Jinja.Render(template));
}
