using System.Text.Json.Nodes;
using AlignLab.Core.Tokenization;
using AlignLab.Testing;

namespace AlignLab.Training.Tests;

/// <summary>Real tokenizer.json files (Llama 3, Qwen3, Gemma 3, Llama 2) give exactly the ids of Hugging Face's reference
/// (tests/fixtures/references/tokenization.json, made by transformers.js tokenizers and checked against the Rust library),
/// on code, emoji, CJK, accents, whitespace runs and special-token strings, with and without special tokens.</summary>
public sealed class TokenizerJsonTests
{
    public static TheoryData<string> Families => new() { "llama3", "qwen3", "gemma3", "llama2" };

    [Theory]
    [MemberData(nameof(Families))]
    public void IdsEqualTheReferenceOnEveryTextWithAndWithoutSpecialTokens(string family)
    {
        var reference = RealModels.Reference("tokenization.json");
        var texts = reference["texts"]!.AsArray().Select(t => t!.GetValue<string>()).ToList();
        var expected = reference["families"]![family]!;
        var tokenizer = TextTokenizer.Load(RealModels.TokenizerFolder(family));
        Assert.Equal("tokenizer.json", tokenizer.Kind);
        Assert.True(texts.Count >= 25);
        for (int i = 0; i < texts.Count; i++)
        {
            Assert.True(Ids(expected["without_special"]![i]!).SequenceEqual(tokenizer.Encode(texts[i])), $"{family}, text {i} without special tokens: {texts[i]}");
            Assert.True(Ids(expected["with_special"]![i]!).SequenceEqual(tokenizer.EncodeWithSpecialTokens(texts[i])), $"{family}, text {i} with special tokens: {texts[i]}");
        }
    }

    [Fact]
    public void LlamaTwoAddsItsBosAndQwenAndLlamaThreeAddNothing()
    {
        Assert.Equal([1], TextTokenizer.Load(RealModels.TokenizerFolder("llama2")).Prefix);
        Assert.Equal([2], TextTokenizer.Load(RealModels.TokenizerFolder("gemma3")).Prefix);
        Assert.Empty(TextTokenizer.Load(RealModels.TokenizerFolder("qwen3")).Prefix);
        Assert.Empty(TextTokenizer.Load(RealModels.TokenizerFolder("llama3")).Prefix);
    }

    /// <summary>FIGA's prompt joining as the authors' train.py has it: the Alpaca prompt ending "### Response:", a space and the
    /// response as one text after BOS; the prompt's ids are its text's alone, so the space is the response's first token's.</summary>
    [Theory]
    [InlineData("llama2")]
    [InlineData("llama3")]
    public void TheAuthorsJoiningTokenizesPromptSpaceAndResponseAsOneTextAfterBos(string family)
    {
        var tokenizer = TextTokenizer.Load(RealModels.TokenizerFolder(family));
        var (prompt, response) = PromptTemplate.Alpaca.EncodeAsOneText(tokenizer, "What is the capital of France?", "", "The capital of France is Paris.");
        var rendered = PromptTemplate.Alpaca.Render("What is the capital of France?", "");
        Assert.EndsWith("### Response:\n", rendered);
        Assert.Equal([.. tokenizer.Prefix, .. tokenizer.Encode(rendered[..^1])], prompt);
        Assert.Equal(tokenizer.EosTokenId, response[^1]);
        Assert.Equal(rendered[..^1] + " The capital of France is Paris.", tokenizer.Decode([.. prompt, .. response[..^1]]));
        Assert.Equal(" The", tokenizer.TokenTexts([.. prompt, .. response])[prompt.Length]);
        // Joined apart as ids, the response would start "The" after a newline: another sequence.
        Assert.NotEqual([.. prompt, .. response], [.. PromptTemplate.Alpaca.EncodePrompt(tokenizer, "What is the capital of France?", ""),
            .. tokenizer.Encode("The capital of France is Paris."), tokenizer.EosTokenId]);
    }

    /// <summary>A folder with only tokenizer.model (Llama 2 and Mistral as first released): the ids of the sentencepiece library
    /// itself (tests/fixtures/sentencepiece, made by make.py), and the BOS transformers' LlamaTokenizer prepends.</summary>
    [Fact]
    public void TheSentencePiecePathGivesTheLibrarysIdsAndAddsBosAsLlamaTwosTokenizerDoes()
    {
        var fixture = Path.Combine(RealModels.RepoRoot, "tests", "fixtures", "sentencepiece");
        var expected = JsonNode.Parse(File.ReadAllText(Path.Combine(fixture, "expected.json")))!;
        var folder = TinyModels.TempFolder();
        File.Copy(Path.Combine(fixture, "tokenizer.model"), Path.Combine(folder, "tokenizer.model"));
        var tokenizer = TextTokenizer.Load(folder);
        Assert.Equal("tokenizer.model", tokenizer.Kind);
        var texts = expected["texts"]!.AsArray().Select(t => t!.GetValue<string>()).ToList();
        for (int i = 0; i < texts.Count; i++)
        {
            Assert.Equal(Ids(expected["without_special"]![i]!), tokenizer.Encode(texts[i]));
            Assert.Equal(Ids(expected["with_special"]![i]!), tokenizer.EncodeWithSpecialTokens(texts[i]));
        }
        File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"), """{"add_bos_token": false}""");
        Assert.Equal(Ids(expected["without_special"]![0]!), TextTokenizer.Load(folder).EncodeWithSpecialTokens(texts[0]));
    }

    [Fact]
    public void SpecialTokensWrittenInTextBecomeTheirIdsAndKeepTheirTextForDisplay()
    {
        var qwen = TextTokenizer.Load(RealModels.TokenizerFolder("qwen3"));
        var ids = qwen.Encode("<|im_start|>user\nhi<|im_end|>");
        Assert.Equal(151644, ids[0]);
        Assert.Equal(151645, ids[^1]);
        Assert.Equal("<|im_end|>", qwen.TokenText(151645));
        Assert.Equal("user\nhi", qwen.Decode(ids));                  // special tokens skipped, as skip_special_tokens=True
    }

    [Fact]
    public void ConfigTokensAndStopIdsComeFromTokenizerConfigConfigJsonAndGenerationConfig()
    {
        var folder = RealModels.Create("llama3", TinyModels.TempFolder());
        var tokenizer = TextTokenizer.Load(folder);
        Assert.Equal(128001, tokenizer.EosTokenId);                    // <|end_of_text|>, the tokenizer's eos_token
        Assert.Equal(128000, tokenizer.BosTokenId);
        Assert.Equal([128001, 128008, 128009], tokenizer.EosTokenIds.Order());
        Assert.Equal(128001, tokenizer.PadTokenId);                    // no pad_token: EOS
        var qwen = TextTokenizer.Load(RealModels.TokenizerFolder("qwen3"));
        Assert.Equal(151645, qwen.EosTokenId);                         // <|im_end|>
        Assert.Equal(151643, qwen.PadTokenId);                         // <|endoftext|>
        Assert.Null(qwen.BosTokenId);
    }

    [Fact]
    public void AnAddedTokenObjectReadsAsItsContentAndAddEosTokenAppendsEos()
    {
        var folder = TinyModels.TempFolder();
        File.Copy(Path.Combine(RealModels.TokenizerFolder("llama2"), "tokenizer.json"), Path.Combine(folder, "tokenizer.json"));
        File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"), """
            {"add_bos_token": false, "add_eos_token": true,
             "bos_token": {"content": "<s>", "lstrip": false, "normalized": false, "rstrip": false, "single_word": false, "__type": "AddedToken"},
             "eos_token": {"content": "</s>", "__type": "AddedToken"}}
            """);
        var tokenizer = TextTokenizer.Load(folder);
        Assert.Equal(1, tokenizer.BosTokenId);
        Assert.Equal(2, tokenizer.EosTokenId);
        var ids = tokenizer.EncodeWithSpecialTokens("Hello");
        Assert.NotEqual(1, ids[0]);
        Assert.Equal(2, ids[^1]);
    }

    [Fact]
    public void ABrokenTokenizerFileIsAnErrorNamingTheFile()
    {
        var folder = TinyModels.TempFolder();
        File.WriteAllText(Path.Combine(folder, "tokenizer.json"), "{\"model\": ");
        var error = Assert.Throws<InvalidDataException>(() => TextTokenizer.Load(folder));
        Assert.Contains("tokenizer.json", error.Message);
        File.WriteAllText(Path.Combine(folder, "tokenizer.json"), """{"model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}, "added_tokens": []}""");
        File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"), """{"eos_token": "</s>"}""");
        Assert.Contains("eos_token '</s>'", Assert.Throws<InvalidDataException>(() => TextTokenizer.Load(folder)).Message);
    }

    /// <summary>Shown token by token (the previews), the pieces join to the text: a SentencePiece word keeps its space, and
    /// a character split over several byte tokens shows once, whole, with its last token.</summary>
    [Theory]
    [InlineData("llama2", "Paris is the capital. 🎉 café")]
    [InlineData("llama3", "Paris is the capital. 🎉 café")]
    [InlineData("qwen3", "巴黎是首都。🎉")]
    public void TokenTextsJoinToTheDecodedText(string family, string text)
    {
        var tokenizer = TextTokenizer.Load(RealModels.TokenizerFolder(family));
        var ids = tokenizer.Encode(text);
        var texts = tokenizer.TokenTexts(ids);
        Assert.Equal(ids.Length, texts.Count);
        Assert.Equal(text, string.Concat(texts));
        Assert.DoesNotContain(texts, t => t.Contains('\uFFFD'));
        if (family == "llama2") Assert.Contains(" is", texts);            // alone, "▁is" decodes to "is"
    }

    public static TheoryData<string, string> ChatCases()
    {
        var data = new TheoryData<string, string>();
        foreach (var (family, entry) in RealModels.Reference("chat-templates.json")["families"]!.AsObject())
            foreach (var c in entry!["cases"]!.AsArray())
                if (c!["add_generation_prompt"]!.GetValue<bool>() && c["rendered"] is not null && c["extra"]!.AsObject().Count == 0)
                    data.Add(family, c["name"]!.GetValue<string>());
        return data;
    }

    /// <summary>The whole path of the <c>model</c> template, from the folder's tokenizer_config.json: the rendering and
    /// its ids equal apply_chat_template(messages, add_generation_prompt=True, tokenize=True) of the reference.</summary>
    [Theory]
    [MemberData(nameof(ChatCases))]
    public void AConversationRendersAndTokenizesAsTheReferenceDoes(string family, string name)
    {
        var entry = RealModels.Reference("chat-templates.json")["families"]![family]!;
        var expected = entry["cases"]!.AsArray().Single(c => c!["name"]!.GetValue<string>() == name)!;
        var folder = TinyModels.TempFolder();
        foreach (var file in Directory.GetFiles(RealModels.TokenizerFolder(family)))
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        if (family == "llama2")                                           // its tokenizer_config.json has no template: the reference's
        {
            var config = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "tokenizer_config.json")))!.AsObject();
            config["chat_template"] = entry["template"]!.GetValue<string>();
            File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"), config.ToJsonString());
        }
        var tokenizer = TextTokenizer.Load(folder);
        var messages = expected["messages"]!.AsArray().Select(m => new Core.ChatTemplates.ChatMessage(m!["role"]!.GetValue<string>(), m["content"]!.GetValue<string>())).ToList();
        var rendered = PromptTemplate.RenderConversation(tokenizer, messages);
        Assert.Equal(expected["rendered"]!.GetValue<string>(), rendered);
        Assert.Equal(Ids(expected["ids"]!), tokenizer.Encode(rendered));
    }

    [Fact]
    public void TheModelTemplateWrapsAnInstructionAsOneUserTurnAndAddsNoSpecialTokensOfItsOwn()
    {
        var qwen = TextTokenizer.Load(RealModels.TokenizerFolder("qwen3"));
        var template = PromptTemplate.Resolve("model", qwen);
        Assert.Equal("<|im_start|>user\nName a colour.\n\nBe brief.<|im_end|>\n<|im_start|>assistant\n", template.Render("Name a colour.", "Be brief."));
        var (prompt, response) = template.Encode(qwen, "Name a colour.", "", "Red.");
        Assert.Equal(qwen.Encode(template.Render("Name a colour.", "")), prompt);
        Assert.Equal(151645, response[^1]);                                // <|im_end|> ends the response
        Assert.Contains("no chat template", Assert.Throws<ArgumentException>(() => PromptTemplate.Resolve("model", TextTokenizer.Load(RealModels.TokenizerFolder("llama2")))).Message);
    }

    private static int[] Ids(JsonNode node) => [.. node.AsArray().Select(i => i!.GetValue<int>())];
}
