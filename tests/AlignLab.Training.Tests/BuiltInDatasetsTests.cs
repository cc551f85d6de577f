using AlignLab.Core.Demo;
using AlignLab.Core.Methods;
using AlignLab.Training.Methods.Construction;
using AlignLab.Training.Methods.Evaluation;
using AlignLab.Training.Methods.Figa;
using AlignLab.Training.Methods.Ppo;
using AlignLab.Training.Methods.R3;
using AlignLab.Training.Methods.RewardModeling;
using AlignLab.Training.Methods.Sft;
using AlignLab.Training.Registry;

namespace AlignLab.Training.Tests;

/// <summary>Every built-in dataset a method offers is in the catalog /datasets lists, says which methods use it, and its
/// records have what its kind promises.</summary>
public sealed class BuiltInDatasetsTests
{
    [Fact]
    public void EveryBuiltInAMethodOffersIsListedWithThatMethodAndHasItsKindsParts()
    {
        var registry = new ModelRegistry([Path.GetTempPath()]);
        ITrainingMethod[] methods =
        [
            new SftMethod(registry), new FigaMethod(registry), new RewardModelMethod(registry), new PpoMethod(registry), new R3PpoMethod(registry),
            new QueryTypeClassificationMethod(registry, null!, null!), new SpaConstructionMethod(registry, null!, null!, null!), new EvaluateMethod(registry),
        ];
        var offered = methods.SelectMany(m => m.Descriptor.Parameters.Where(p => p.Kind is ParameterKind.Dataset or ParameterKind.Datasets)
            .SelectMany(p => p.Choices!.Select(name => (Method: m.Descriptor.Name, Name: name)))).ToList();
        Assert.Equal(BuiltInDatasets.All.Select(d => d.Name).Order(), offered.Select(o => o.Name).Distinct().Order());
        foreach (var (method, name) in offered)
            Assert.Contains(method, BuiltInDatasets.Find(name)!.UsedBy);
        foreach (var builtIn in BuiltInDatasets.All)
        {
            var layout = Core.Datasets.DatasetLayout.All.Single(l => l.Kind == builtIn.Kind);
            var records = builtIn.Records();
            Assert.NotEmpty(records);
            Assert.All(records, r => Assert.False(string.IsNullOrEmpty(r.Instruction)));
            if (layout.Guarantees(Core.Datasets.RecordPart.Output)) Assert.All(records, r => Assert.False(string.IsNullOrEmpty(r.Output)));
            if (layout.Guarantees(Core.Datasets.RecordPart.Choices))
                Assert.All(records, r => Assert.True(r.Choices!.Count >= 2 && r.Answer >= 0 && r.Answer < r.Choices.Count));
            string Json(IReadOnlyList<Core.Datasets.SpaRecord> rows) => System.Text.Json.JsonSerializer.Serialize(rows);
            Assert.Equal(Json(records), Json(builtIn.Records()));           // deterministic
        }
    }
}
