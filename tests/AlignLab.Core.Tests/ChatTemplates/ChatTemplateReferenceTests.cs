using System.Text.Json;
using AlignLab.Core.ChatTemplates;

namespace AlignLab.Core.Tests.ChatTemplates;

/// <summary>
/// Every family and case of the committed reference renderings: the engine must reproduce each prompt byte for
/// byte, and fail where the reference failed (e.g. Gemma's raise_exception on repeated roles).
/// </summary>
public class ChatTemplateReferenceTests
{
    private const string MissingFixture = "(missing fixture)";

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        if (!File.Exists(ReferenceFixture.FullPath))
        {
            // One failing row says what is wrong; an empty theory would only report "no data".
            data.Add(MissingFixture, ReferenceFixture.FullPath);
            return data;
        }
        foreach (var family in ReferenceFixture.Load().EnumerateObject())
            foreach (var testCase in family.Value.GetProperty("cases").EnumerateArray())
                data.Add(family.Name, testCase.GetProperty("name").GetString()!);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void RendersLikeTransformers(string family, string caseName)
    {
        Assert.False(family == MissingFixture, $"{caseName} is missing: the chat-template reference renderings are not there");
        var entry = ReferenceFixture.Load().GetProperty(family);
        var testCase = entry.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("name").GetString() == caseName);

        var template = ChatTemplate.Parse(entry.GetProperty("template").GetString()!);
        var messages = testCase.GetProperty("messages").EnumerateArray()
            .Select(m => new ChatMessage(m.GetProperty("role").GetString()!, m.GetProperty("content").GetString()!))
            .ToList();
        var addGenerationPrompt = testCase.GetProperty("add_generation_prompt").GetBoolean();
        // transformers passes the special tokens that are set; a null one stays undefined rather than None.
        var variables = new Dictionary<string, object?>();
        foreach (var token in new[] { "bos_token", "eos_token" })
            if (entry.TryGetProperty(token, out var value) && value.ValueKind == JsonValueKind.String) variables[token] = value.GetString();
        if (testCase.TryGetProperty("extra", out var extra))
            foreach (var variable in extra.EnumerateObject()) variables[variable.Name] = ReferenceFixture.ToClr(variable.Value);

        if (testCase.TryGetProperty("rendered", out var rendered))
            Assert.Equal(rendered.GetString(), template.Render(messages, addGenerationPrompt, variables));
        else
            Assert.Throws<ChatTemplateException>(() => template.Render(messages, addGenerationPrompt, variables));
    }
}
