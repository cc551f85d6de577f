using System.Text.Json;
using AlignLab.Core.ChatTemplates;

namespace AlignLab.Core.Tests.ChatTemplates;

/// <summary>
/// The real chat templates shipped in the families' tokenizer_config.json (fetched into the git-ignored
/// .fixtures/ by scripts/fetch-fixtures.sh). Expected prompts were rendered by jinja2 3.1.6 in transformers'
/// environment; @huggingface/jinja 0.5.11 agrees except where noted.
/// </summary>
public class RealChatTemplateTests
{
    private static readonly ChatMessage[] Thinking =
        [new("user", "What is 2+2?"), new("assistant", "<think>\nAdd them.\n</think>\n\n4"), new("user", "And 3+3?")];

    private static readonly ChatMessage[] WithSystem =
        [new("system", "Be brief."), new("user", "Hi"), new("assistant", "Hello!"), new("user", " How are you? ")];

    [Fact]
    public void Qwen3DropsPastReasoningAndHonoursEnableThinking()
    {
        var template = Load("qwen3");
        var eos = new Dictionary<string, object?> { ["eos_token"] = "<|im_end|>" };
        const string history = "<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n4<|im_end|>\n<|im_start|>user\nAnd 3+3?<|im_end|>\n<|im_start|>assistant\n";
        Assert.Equal(history, template.Render(Thinking, addGenerationPrompt: true, eos));
        var noThinking = new Dictionary<string, object?>(eos) { ["enable_thinking"] = false };
        Assert.Equal(history + "<think>\n\n</think>\n\n", template.Render(Thinking, addGenerationPrompt: true, noThinking));
    }

    [Fact]
    public void Qwen3ListsToolsAsJson()
    {
        var tools = new List<object?>
        {
            new Dictionary<string, object?>
            {
                ["type"] = "function",
                ["function"] = new Dictionary<string, object?>
                {
                    ["name"] = "add",
                    ["parameters"] = new Dictionary<string, object?> { ["a"] = new Dictionary<string, object?> { ["type"] = "number", ["default"] = 1.0 } },
                },
            },
        };
        var rendered = Load("qwen3").Render(WithSystem, addGenerationPrompt: false, new Dictionary<string, object?> { ["tools"] = tools });
        // A Python float stays 1.0 in json.dumps (@huggingface/jinja writes 1: JavaScript has no float type).
        const string expected = "<|im_start|>system\nBe brief.\n\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\n" +
            "You are provided with function signatures within <tools></tools> XML tags:\n<tools>\n" +
            "{\"type\": \"function\", \"function\": {\"name\": \"add\", \"parameters\": {\"a\": {\"type\": \"number\", \"default\": 1.0}}}}\n</tools>\n\n" +
            "For each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n<tool_call>\n" +
            "{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call><|im_end|>\n" +
            "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n<|im_start|>user\n How are you? <|im_end|>\n";
        Assert.Equal(expected, rendered);
    }

    [Fact]
    public void Llama3TrimsContentAndAddsTheAssistantHeader()
    {
        var rendered = Load("llama3").Render(WithSystem, addGenerationPrompt: true, new Dictionary<string, object?> { ["bos_token"] = "<|begin_of_text|>" });
        Assert.Equal("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>" +
            "<|start_header_id|>assistant<|end_header_id|>\n\nHello!<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nHow are you?<|eot_id|>" +
            "<|start_header_id|>assistant<|end_header_id|>\n\n", rendered);
    }

    [Fact]
    public void Gemma3FoldsTheSystemPromptIntoTheFirstTurnAndRejectsRepeatedRoles()
    {
        var template = Load("gemma3");
        var bos = new Dictionary<string, object?> { ["bos_token"] = "<bos>" };
        Assert.Equal("<bos><start_of_turn>user\nBe brief.\n\nHi<end_of_turn>\n<start_of_turn>model\nHello!<end_of_turn>\n" +
            "<start_of_turn>user\nHow are you?<end_of_turn>\n<start_of_turn>model\n", template.Render(WithSystem, addGenerationPrompt: true, bos));
        var error = Assert.Throws<ChatTemplateException>(() => template.Render([new("user", "a"), new("user", "b")], addGenerationPrompt: true, bos));
        Assert.Equal("Conversation roles must alternate user/assistant/user/assistant/...", error.Message);
    }

    private static ChatTemplate Load(string family)
    {
        var path = Path.Combine(ReferenceFixture.RepoRoot, ".fixtures", "tokenizers", family, "tokenizer_config.json");
        if (!File.Exists(path)) throw new InvalidOperationException($"{path} is missing: run scripts/fetch-fixtures.sh (scripts/test.sh does)");
        using var config = JsonDocument.Parse(File.ReadAllText(path));
        return ChatTemplate.Parse(config.RootElement.GetProperty("chat_template").GetString()!);
    }
}
