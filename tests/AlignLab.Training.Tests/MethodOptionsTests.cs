using System.Text.Json.Nodes;
using AlignLab.Core.Methods;
using AlignLab.Training.Methods.Construction;
using AlignLab.Training.Methods.Figa;
using AlignLab.Training.Methods.Ppo;
using AlignLab.Training.Methods.R3;
using AlignLab.Training.Methods.RewardModeling;
using AlignLab.Training.Methods.Sft;

namespace AlignLab.Training.Tests;

/// <summary>Every method's typed options record and its schema agree: the schema's defaults bind to exactly the record's
/// defaults, and each parameter fills a property of its own (a changed value changes the record).</summary>
public class MethodOptionsTests
{
    public static TheoryData<string> Methods => new() { "sft", "figa", "reward-model", "ppo", "r3-ppo", "query-types", "spa-construction", "evaluate" };

    [Theory]
    [MemberData(nameof(Methods))]
    public void EachSchemaDefaultIsTheRecordsDefaultAndEachParameterHasItsOwnProperty(string method)
    {
        switch (method)
        {
            case "sft": Check(SftRunOptions.Schema, SftRunOptions.Defaults); break;
            case "figa": Check(FigaRunOptions.Schema, FigaRunOptions.Defaults); break;
            case "reward-model": Check(RewardModelRunOptions.Schema, RewardModelRunOptions.Defaults); break;
            case "ppo": Check(PpoRunOptions.Schema, PpoRunOptions.Defaults); break;
            case "r3-ppo": Check(R3PpoRunOptions.Schema, R3PpoRunOptions.Defaults); break;
            case "query-types": Check(QueryTypeRunOptions.Schema, QueryTypeRunOptions.Defaults); break;
            case "spa-construction": Check(SpaConstructionRunOptions.Schema, SpaConstructionRunOptions.Defaults); break;
            case "evaluate": Check(AlignLab.Training.Methods.Evaluation.EvaluateRunOptions.Schema, AlignLab.Training.Methods.Evaluation.EvaluateRunOptions.Defaults); break;
            default: throw new ArgumentException(method);
        }
    }

    [Fact]
    public void DefaultsAreThePapersFigures()
    {
        // Spot checks against the papers' recipes, independent of the schema code.
        var figa = FigaRunOptions.Defaults;
        Assert.Equal((1.0, 0.5, 0.0, 0.6), (figa.Figa.Alpha, figa.Figa.Beta, figa.Figa.Gamma, figa.Figa.NllThreshold));
        Assert.Equal((1e-5, 8 * 16), (figa.Optimization.LearningRate, figa.Optimization.BatchSize * figa.Optimization.GradAccum));
        var r3 = R3PpoRunOptions.Defaults;
        Assert.Equal((512, 0.2, true, 8, 16.0), (r3.Ppo.MaxNewTokens, r3.Ppo.InitKlCoef, r3.Lora.Enabled, r3.Lora.Rank, r3.Lora.Alpha));
        Assert.Equal((1.0, 10.0), (r3.Ppo.VfCoef, r3.Ppo.ScoreClip));
        Assert.Equal((300, 0.02, 1.0), (PpoRunOptions.Defaults.Ppo.MaxNewTokens, PpoRunOptions.Defaults.Ppo.InitKlCoef, PpoRunOptions.Defaults.Ppo.Lam));
        Assert.Equal((5, 0L, 512), (figa.Optimization.Epochs, figa.Optimization.MaxSteps, figa.Optimization.MaxLength));
    }

    private static void Check<T>(ParameterSchema<T> schema, T defaults) where T : class
    {
        var specs = schema.Specs(defaults);
        Assert.Equal(specs.Count, specs.Select(s => s.Name).Distinct().Count());
        var resolved = specs.ToDictionary(s => s.Name, s => (JsonNode?)s.Default.DeepClone());
        // Compared as JSON: a list property (evaluate_with, models) is a new list once bound, equal in content.
        static string Json(T options) => System.Text.Json.JsonSerializer.Serialize(options);
        Assert.Equal(Json(defaults), Json(schema.Bind(new MethodParameters(resolved), defaults)));

        foreach (var spec in specs)
        {
            var changed = new Dictionary<string, JsonNode?>(resolved) { [spec.Name] = Other(spec) };
            Assert.True(spec.Validate(changed[spec.Name], out _) is null, $"{spec.Name}: the changed value is not valid");
            Assert.True(Json(defaults) != Json(schema.Bind(new MethodParameters(changed), defaults)), $"{spec.Name} changes nothing in {typeof(T).Name}");
        }
    }

    /// <summary>A valid value other than the default.</summary>
    private static JsonNode Other(ParameterSpec spec) => spec.Kind switch
    {
        ParameterKind.Integer => JsonValue.Create(spec.Default.GetValue<long>() == (long)spec.Min! ? (long)spec.Min! + 1 : (long)spec.Min!),
        ParameterKind.Number => JsonValue.Create(spec.Default.GetValue<double>() == spec.Min ? (spec.Min!.Value + spec.Max!.Value) / 2 : spec.Min!.Value),
        ParameterKind.Boolean => JsonValue.Create(!spec.Default.GetValue<bool>()),
        ParameterKind.Choice => JsonValue.Create(spec.Choices!.First(c => c != spec.Default.GetValue<string>())),
        ParameterKind.Dataset => JsonValue.Create(Guid.NewGuid().ToString()),
        ParameterKind.Datasets or ParameterKind.Models => new JsonArray([.. spec.Default.AsArray().Select(v => v!.DeepClone()), JsonValue.Create(Guid.NewGuid().ToString())]),
        _ => JsonValue.Create(spec.Default.GetValue<string>() + "x"),
    };
}
