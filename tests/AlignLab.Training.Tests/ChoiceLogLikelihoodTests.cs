using AlignLab.Core.Evaluation;
using AlignLab.Core.Tokenization;
using AlignLab.Testing;
using AlignLab.Testing.Reference;
using AlignLab.Training.Evaluation;
using AlignLab.Training.Models;
using static TorchSharp.torch;

namespace AlignLab.Training.Tests;

/// <summary>Multiple-choice scores against the independent float64 reference forward pass, on tiny random models in real
/// layouts with real tokenizers: each choice's summed log-probability after the prompt, joined as training joins them.</summary>
public sealed class ChoiceLogLikelihoodTests
{
    private const string Prompt = "What is the capital of France?";
    private static readonly string[] Choices = ["Paris", "It is Tokyo, of course.", "Rome"];

    [Theory]
    [InlineData("llama3")]
    [InlineData("gpt2")]
    public void EachChoicesSummedLogProbabilityEqualsTheReferenceToOneInTenThousand(string family)
    {
        var folder = RealModels.Create(family, Path.Combine(TinyModels.TempFolder(), family));
        var tokenizer = TextTokenizer.Load(folder);
        using var model = ModelFolder.Load(folder);
        var scores = ChoiceLogLikelihood.Score(model, tokenizer, PromptTemplate.Alpaca, Prompt, Choices, CPU);

        // The join, spelled out: the template's prompt with the tokenizer's special tokens, then the choice on its own.
        var prompt = tokenizer.EncodeWithSpecialTokens(PromptTemplate.Alpaca.Render(Prompt, ""));
        for (int c = 0; c < Choices.Length; c++)
        {
            int[] ids = [.. prompt, .. tokenizer.Encode(Choices[c])];
            var expected = ReferenceLm.TokenLogProbs(folder, ids, fromToken: prompt.Length).Sum();
            Assert.True(Math.Abs(expected - scores[c]) < 1e-4, $"{family}, choice {c}: {scores[c]} vs reference {expected}");
        }
        Assert.Equal(MultipleChoice.Prediction(scores), Array.IndexOf(scores, scores.Max()));
    }

    [Theory]
    [InlineData("llama3")]
    [InlineData("gpt2")]
    public void AnEmptyPromptScoresEachChoiceAsAWholeTextAfterBosOrElseEos(string family)
    {
        var folder = RealModels.Create(family, Path.Combine(TinyModels.TempFolder(), family));
        var tokenizer = TextTokenizer.Load(folder);
        using var model = ModelFolder.Load(folder);
        string[] sentences = ["The nurse said she was tired.", "The nurse said he was tired."];
        var scores = ChoiceLogLikelihood.Score(model, tokenizer, PromptTemplate.Alpaca, "", sentences, CPU);

        // No template, and the tokenizer's BOS as the context: Llama 3's <|begin_of_text|>, GPT-2's <|endoftext|> (its BOS and EOS).
        int[] context = [family == "llama3" ? 128000 : 50256];
        for (int c = 0; c < sentences.Length; c++)
        {
            int[] ids = [.. context, .. tokenizer.Encode(sentences[c])];
            var expected = ReferenceLm.TokenLogProbs(folder, ids, fromToken: 1).Sum();
            Assert.True(Math.Abs(expected - scores[c]) < 1e-4, $"{family}, sentence {c}: {scores[c]} vs reference {expected}");
        }
    }
}
