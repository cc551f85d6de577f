using AlignLab.Core.ChatTemplates;

namespace AlignLab.Core.Tests.ChatTemplates;

/// <summary>A template comes with a model folder anyone may bring; it runs in the web process at listing and submission.
/// Nesting past the stack, endless loops and gigantic output are its errors, never the process's crash.</summary>
public sealed class BudgetTests
{
    private static string Render(string source) => ChatTemplate.Parse(source).Render([new ChatMessage("user", "hi")], true);

    [Fact]
    public void NestingDeeperThanTheStackIsRefusedAtParse()
    {
        var brackets = new string('(', 200_000) + "1" + new string(')', 200_000);
        Assert.Contains("nested too deeply", Assert.Throws<ChatTemplateException>(() => ChatTemplate.Parse("{{ " + brackets + " }}")).Message);
        var nots = string.Concat(Enumerable.Repeat("not ", 200_000)) + "true";
        Assert.Throws<ChatTemplateException>(() => ChatTemplate.Parse("{{ " + nots + " }}"));
        var blocks = string.Concat(Enumerable.Repeat("{% if true %}", 100_000)) + string.Concat(Enumerable.Repeat("{% endif %}", 100_000));
        Assert.Throws<ChatTemplateException>(() => ChatTemplate.Parse(blocks));
    }

    [Fact]
    public void EndlessWorkAndGiganticOutputStopWithTheTemplatesError()
    {
        Assert.Contains("steps", Assert.Throws<ChatTemplateException>(() =>
            Render("{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}")).Message);
        Assert.Contains("more than", Assert.Throws<ChatTemplateException>(() => Render("{{ 'x' * 2000000000 }}")).Message);
        Assert.Contains("characters", Assert.Throws<ChatTemplateException>(() =>
            Render("{% for a in range(100000) %}{{ 'x' * 1000 }}{% endfor %}")).Message);
        Assert.Equal("hi", Render("{{ messages[0].content }}"));
    }
}
