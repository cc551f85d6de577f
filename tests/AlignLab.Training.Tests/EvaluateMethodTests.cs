using System.Text.Json;
using AlignLab.Core.Demo;
using AlignLab.Core.Evaluation;
using AlignLab.Core.Tokenization;
using AlignLab.Testing;
using AlignLab.Training.Demo;
using AlignLab.Training.Evaluation;
using AlignLab.Training.Methods.Evaluation;
using AlignLab.Training.Models;
using AlignLab.Training.Registry;
using static TorchSharp.torch;

namespace AlignLab.Training.Tests;

/// <summary>The evaluate method on the demo's sets: two models side by side, every item recorded, results computed from
/// the records with intervals, and a resumed run that scores only what is missing.</summary>
public sealed class EvaluateMethodTests : IClassFixture<EvaluateMethodTests.TwoModels>
{
    public sealed class TwoModels
    {
        public ModelRegistry Registry { get; }

        public TwoModels()
        {
            var root = TinyModels.DemoRoot();
            RealModels.Create("llama3", Path.Combine(root, "tiny-llama3"));
            Registry = new ModelRegistry([root]);
        }
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private const string Parameters = $$"""{"models":["{{DemoModel.Name}}","tiny-llama3"],"max_new_tokens":6,"batch_size":8,"resamples":200}""";

    private readonly ModelRegistry _registry;

    public EvaluateMethodTests(TwoModels fixture) => _registry = fixture.Registry;

    // Every line must parse: a cut-short line left by a killed attempt is gone once the run resumes.
    private static List<EvaluationArtifacts.ItemRow> Items(string folder) =>
        [.. File.ReadAllLines(Path.Combine(folder, EvaluationArtifacts.ItemsFile)).Select(l => JsonSerializer.Deserialize<EvaluationArtifacts.ItemRow>(l, Json)!)];

    private static List<EvaluationArtifacts.ResultRow> Results(string folder) =>
        JsonSerializer.Deserialize<List<EvaluationArtifacts.ResultRow>>(File.ReadAllText(Path.Combine(folder, EvaluationArtifacts.ResultsFile)), Json)!;

    [Fact]
    public async Task TwoModelsMeetEveryItemOfBothSetsAndEachResultIsCountedFromTheItems()
    {
        var method = new EvaluateMethod(_registry);
        var context = new MethodContext(method, Parameters);
        await method.RunAsync(context);

        var items = Items(context.ArtifactDirectory);
        var choices = BuiltInDatasets.DemoEvalChoices.Records();
        Assert.Equal(2 * (choices.Count + BuiltInDatasets.DemoEvalGeneration.Records().Count), items.Count);
        Assert.Equal(items.Count, items.DistinctBy(EvaluationArtifacts.Key).Count());

        // A multiple-choice record holds each choice's score as the scorer gives it, and its predictions.
        var first = items.First(i => i.Model == "tiny-llama3" && i.Set == EvaluateMethod.DemoChoices && i.Index == 3);
        var folder = _registry.Resolve("tiny-llama3");
        using (var model = ModelFolder.Load(folder))
        {
            var expected = ChoiceLogLikelihood.Score(model, TextTokenizer.Load(folder), PromptTemplate.Alpaca, choices[3].Instruction, choices[3].Choices!, CPU);
            Assert.Equal(expected, first.Scores!, new Tolerance(1e-5));
        }
        Assert.Equal((choices[3].Answer, MultipleChoice.Prediction(first.Scores!)), (first.Answer, first.Prediction));

        // acc is the share of items whose prediction is the answer, counted here by hand from the records; its interval holds it.
        var results = Results(context.ArtifactDirectory);
        foreach (var model in new[] { DemoModel.Name, "tiny-llama3" })
        {
            var rows = items.Where(i => i.Model == model && i.Set == EvaluateMethod.DemoChoices).ToList();
            var acc = results.Single(r => r.Model == model && r.Set == EvaluateMethod.DemoChoices && r.Metric == "acc");
            Assert.Equal((double)rows.Count(r => r.Prediction == r.Answer) / rows.Count, acc.Value, 12);
            Assert.True(acc.Low <= acc.Value && acc.Value <= acc.High && acc.Items == choices.Count);
            var generation = results.Where(r => r.Model == model && r.Set == EvaluateMethod.DemoGeneration).Select(r => r.Metric).ToHashSet();
            Assert.Superset(new HashSet<string> { "words", "repeat_4gram", "query_copy", "distinct_1", "distinct_2", "self_bleu" }, generation);
        }
        Assert.All(items.Where(i => i.Set == EvaluateMethod.DemoGeneration), i => Assert.True(i.ResponseTokens <= 6 && i.Response is not null));
        // The results are metrics too: acc of the k-th model at step k.
        Assert.Contains(context.Points, p => p.Name == $"acc · {EvaluateMethod.DemoChoices}" && p.Step == 2);
    }

    [Fact]
    public async Task AResumedEvaluationScoresOnlyTheItemsItHasNot()
    {
        var method = new EvaluateMethod(_registry);
        var first = new MethodContext(method, Parameters);
        await method.RunAsync(first);
        var all = Items(first.ArtifactDirectory);

        // As if the worker had been killed after ten items, in the middle of writing the eleventh: the ten kept carry a mark
        // that rescoring would erase.
        var path = Path.Combine(first.ArtifactDirectory, EvaluationArtifacts.ItemsFile);
        var kept = all.Take(10).Select(r => r with { Prompt = "kept from the first attempt" }).ToList();
        File.WriteAllText(path, string.Concat(kept.Select(r => JsonSerializer.Serialize(r, Json) + "\n")) + "{\"model\":\"demo");
        File.Delete(Path.Combine(first.ArtifactDirectory, EvaluationArtifacts.ResultsFile));

        await method.RunAsync(new MethodContext(method, Parameters, first.ArtifactDirectory));
        var resumed = Items(first.ArtifactDirectory);
        Assert.Equal(all.Count, resumed.Count);
        Assert.Equal(all.Count, resumed.DistinctBy(EvaluationArtifacts.Key).Count());
        Assert.Equal(10, resumed.Count(r => r.Prompt == "kept from the first attempt"));
        Assert.True(File.Exists(Path.Combine(first.ArtifactDirectory, EvaluationArtifacts.ResultsFile)));
    }

    [Theory]
    [InlineData("""{"models":[]}""", "models: must name 1 to 16 models, not 0")]
    [InlineData("""{"models":["demo","demo"]}""", "models: item 1: demo is named twice")]
    [InlineData("""{"models":"demo"}""", "models: must be a list of model references, not a string")]
    [InlineData("""{"sets":["demo-spa"]}""", "sets: item 0: must be a dataset id or one of demo-eval-choices, demo-eval-generation")]
    public void BadListsAreRefusedNamingTheParameter(string parameters, string message)
    {
        var refused = Assert.Throws<ArgumentException>(() => new MethodContext(new EvaluateMethod(_registry), parameters));
        Assert.Contains(message, refused.Message);
    }
}
