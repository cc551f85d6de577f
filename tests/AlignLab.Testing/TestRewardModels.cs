using AlignLab.Training.Models;

namespace AlignLab.Testing;

/// <summary>Reward models for tests: a random GPT-2 sequence classifier in HF layout (GPT2ForSequenceClassification)
/// over the demo model's architecture, with the demo tokenizer.</summary>
public static class TestRewardModels
{
    public static string CreateRandom(string demoModelFolder, string folder, int seed = 5)
    {
        TorchSharp.torch.random.manual_seed(seed);
        using var classifier = new SequenceClassifier(ModelFolder.Create(ModelFolder.ReadConfig(demoModelFolder)));
        classifier.Save(folder);
        foreach (var file in new[] { "vocab.json", "merges.txt", "tokenizer_config.json" })
            File.Copy(Path.Combine(demoModelFolder, file), Path.Combine(folder, file));
        return folder;
    }
}
