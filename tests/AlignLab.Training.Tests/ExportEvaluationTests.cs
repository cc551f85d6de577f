using System.Text.Json;
using AlignLab.Core.Evaluation;
using AlignLab.Training.Demo;
using AlignLab.Training.Methods.Figa;
using AlignLab.Training.Registry;

namespace AlignLab.Training.Tests;

/// <summary>A training run that names evaluation sets evaluates its export on them when training ends: the run's own
/// evaluation, as an evaluate run would write it, with its results among the run's metrics at its last step.</summary>
public sealed class ExportEvaluationTests
{
    [Theory]
    [InlineData("figa", "'preset':'demo','batch_size':4,'grad_accum':1,'eval_every':0,'eval_fraction':0.05")]
    [InlineData("sft", "'batch_size':4,'eval_every':0")]
    [InlineData("ppo", "'preset':'demo','reward':'keyword','keyword':'Tokyo','batch_size':4,'mini_batch_size':2,'ppo_epochs':1,'max_new_tokens':4")]
    [InlineData("r3-ppo", "'preset':'demo','batch_size':4,'mini_batch_size':2,'ppo_epochs':1,'max_new_tokens':4")]
    public async Task TheExportIsEvaluatedOnTheNamedSetsWhenTrainingEnds(string name, string parameters)
    {
        var (context, results) = await TrainAsync(name, parameters + ",'max_steps':2");
        var export = $"runs/{context.RunId}/export";
        var acc = results.Single(r => r.Metric == "acc");
        Assert.Equal((export, "demo-eval-choices", 18), (acc.Model, acc.Set, acc.Items));
        Assert.Equal(18, File.ReadAllLines(Path.Combine(context.ArtifactDirectory, EvaluationArtifacts.ItemsFile)).Length);
        // The result is a metric of the run at its last training step.
        Assert.Equal((2L, acc.Value), context.Points.Where(p => p.Name == "acc · demo-eval-choices").Select(p => (p.Step, p.Value)).Single());
    }

    [Theory]
    [InlineData("sft", "'batch_size':4,'eval_every':2")]
    [InlineData("r3-ppo", "'preset':'demo','batch_size':4,'mini_batch_size':2,'ppo_epochs':1,'max_new_tokens':4,'best_every':2")]
    public async Task WithEvaluateCheckpointsEachEvaluationStepIsARowOfTheLeaderboardAndAPointOfTheCurve(string name, string parameters)
    {
        var (context, results) = await TrainAsync(name, parameters + ",'max_steps':4,'evaluate_checkpoints':true");
        var export = $"runs/{context.RunId}/export";
        // Step 2 as it was then, and the export (the last step's model): 18 items each.
        var acc = results.Where(r => r.Metric == "acc").ToDictionary(r => r.Model);
        Assert.Equal(new[] { "step 2", export }.Order(StringComparer.Ordinal), acc.Keys.Order(StringComparer.Ordinal));
        Assert.All(acc.Values, r => Assert.Equal(18, r.Items));
        Assert.Equal(36, File.ReadAllLines(Path.Combine(context.ArtifactDirectory, EvaluationArtifacts.ItemsFile)).Length);
        // Each evaluation's result is one point of the curve, at its step.
        Assert.Equal([(2L, acc["step 2"].Value), (4L, acc[export].Value)],
            context.Points.Where(p => p.Name == "acc · demo-eval-choices").Select(p => (p.Step, p.Value)).OrderBy(p => p.Step));
    }

    /// <summary>A short run of the method on the demo model that evaluates on the demo's multiple-choice set, and its results.</summary>
    private static async Task<(MethodContext Context, List<EvaluationArtifacts.ResultRow> Results)> TrainAsync(string name, string parameters)
    {
        var root = TinyModels.DemoRoot();
        var registry = new ModelRegistry([root]);
        AlignLab.Core.Methods.ITrainingMethod method = name switch
        {
            "figa" => new FigaMethod(registry),
            "sft" => new Methods.Sft.SftMethod(registry),
            "ppo" => new Methods.Ppo.PpoMethod(registry),
            _ => new Methods.R3.R3PpoMethod(registry),
        };
        var context = new MethodContext(method,
            $$"""{{{parameters.Replace('\'', '"')}},"model":"{{DemoModel.Name}}","checkpoint_every":0,"evaluate_with":["demo-eval-choices"]}""");
        await method.RunAsync(context);
        var results = JsonSerializer.Deserialize<List<EvaluationArtifacts.ResultRow>>(
            File.ReadAllText(Path.Combine(context.ArtifactDirectory, EvaluationArtifacts.ResultsFile)), new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        return (context, results);
    }

    [Fact]
    public void WithoutSetsNothingIsEvaluatedAndAnUnknownSetIsRefused()
    {
        var method = new FigaMethod(new ModelRegistry([TinyModels.TempFolder()]));
        Assert.Empty(new MethodContext(method, "{}").Spec.Parameters["evaluate_with"]!.AsArray());
        var refused = Assert.Throws<ArgumentException>(() => new MethodContext(method, """{"evaluate_with":["demo-spa"]}"""));
        Assert.Contains("evaluate_with: item 0: must be a dataset id or one of demo-eval-choices, demo-eval-generation", refused.Message);
    }
}
