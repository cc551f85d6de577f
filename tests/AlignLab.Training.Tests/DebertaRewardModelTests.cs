using AlignLab.Core.Tokenization;
using AlignLab.Testing;
using AlignLab.Testing.Reference;
using AlignLab.Training.Registry;
using AlignLab.Training.Rewards;
using static TorchSharp.torch;

namespace AlignLab.Training.Tests;

/// <summary>A DeBERTa-v3 reward model folder (tokenizer.json and HF weights) loads as a reward model and scores
/// (question, answer) text pairs, joined [CLS] question [SEP] answer [SEP] as OpenAssistant's models are called, exactly as
/// an independent float64 forward pass scores the same ids.</summary>
public sealed class DebertaRewardModelTests
{
    [Fact]
    public void QuestionAnswerPairsScoreAsTheReferenceDoes()
    {
        var folder = TestDebertaRewardModels.Create(TinyModels.TempFolder());
        using var rewardModel = RewardModel.Load(folder, CPU);
        Assert.True(rewardModel.IsCrossEncoder);
        (string Instruction, string Input, string Response)[] items =
        [
            ("What is the capital of France?", "", "The capital of France is Paris."),
            ("Name a colour.", "Keep it short.", "Red."),
            ("What is 2 + 2?", "", "It is 4, and it is even."),
        ];
        var scores = rewardModel.Score(items, PromptTemplate.Alpaca, batchSize: 2);          // padded batches of 2 and 1

        var tokenizer = TextTokenizer.Load(folder);
        for (int i = 0; i < items.Length; i++)
        {
            var question = tokenizer.Encode(RewardModel.QueryText(items[i].Instruction, items[i].Input));
            var answer = tokenizer.Encode(items[i].Response);
            int[] ids = [TestDebertaRewardModels.Cls, .. question, TestDebertaRewardModels.Sep, .. answer, TestDebertaRewardModels.Sep];
            Assert.Equal(ReferenceDeberta.Scores(folder, ids)[0], scores[i], 4);
        }
        Assert.NotEqual(scores[0], scores[1], 3);
    }

    [Fact]
    public void TheRegistryListsItAsAUsableSequenceClassifier()
    {
        var folder = TestDebertaRewardModels.Create(TinyModels.TempFolder());
        var details = ModelInspection.Inspect(folder);
        Assert.Null(details.Problem);
        Assert.True(details.IsClassifier);
        Assert.Equal("deberta-v2", details.ModelType);
        Assert.Equal("tokenizer.json", details.TokenizerKind);
    }
}
