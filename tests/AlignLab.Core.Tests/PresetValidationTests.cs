using System.Text.Json.Nodes;
using AlignLab.Core.Methods;
using AlignLab.Core.Methods.Smoke;
using AlignLab.Core.Runs;

namespace AlignLab.Core.Tests;

/// <summary>A run starts from a preset (the paper's recipe unless it names another) and overrides what it gives; the spec
/// records the preset and which parameters differ from it.</summary>
public class PresetValidationTests
{
    private sealed record Options
    {
        public long Steps { get; init; } = 100;
        public double Rate { get; init; } = 0.1;
        public string Mode { get; init; } = "full";
    }

    private static readonly ParameterSchema<Options> Schema = new ParameterSchema<Options>()
        .Integer(o => o.Steps, "steps", 1, 1000, "Steps.")
        .Number(o => o.Rate, "rate", 0, 1, "Rate.")
        .Choice(o => o.Mode, "mode", ["full", "lite"], "Mode.");

    private static readonly Options Paper = new();
    private static readonly Options Demo = new() { Steps = 5, Mode = "lite" };

    private sealed class PresetMethod : ITrainingMethod
    {
        public MethodDescriptor Descriptor { get; } = new("presets", "Presets", "A method with presets.", "cpu", Schema.Specs(Paper))
        {
            Presets = Presets.Of(Schema, Paper, Demo),
        };

        public Task RunAsync(IRunContext context) => Task.CompletedTask;
    }

    private static readonly RunRequestValidator Validator = new(new MethodCatalog([new PresetMethod(), new SmokeMethod()]));

    private static RunRequestValidation Validate(string json) => Validator.Validate(JsonNode.Parse(json));

    [Fact]
    public void WithoutAPresetARunGetsThePapersValues()
    {
        var spec = Validate("""{"method":"presets"}""").Spec!;
        Assert.Equal(Presets.Paper, spec.Preset);
        Assert.Equal((100L, 0.1, "full"), (spec.Parameters["steps"]!.GetValue<long>(), spec.Parameters["rate"]!.GetValue<double>(), spec.Parameters["mode"]!.GetValue<string>()));
        Assert.Empty(spec.Changed!);
        Assert.False(spec.Parameters.ContainsKey(Presets.ParameterName));
    }

    [Fact]
    public void ANamedPresetFillsWhatTheRequestLeavesOut()
    {
        var spec = Validate("""{"method":"presets","parameters":{"preset":"demo"}}""").Spec!;
        Assert.Equal(Presets.Demo, spec.Preset);
        Assert.Equal((5L, 0.1, "lite"), (spec.Parameters["steps"]!.GetValue<long>(), spec.Parameters["rate"]!.GetValue<double>(), spec.Parameters["mode"]!.GetValue<string>()));
        Assert.Empty(spec.Changed!);
    }

    [Fact]
    public void GivenParametersOverrideThePresetAndAreRecordedAsChangesOnlyWhenTheyDiffer()
    {
        var spec = Validate("""{"method":"presets","parameters":{"preset":"demo","steps":7,"mode":"lite","rate":0.5}}""").Spec!;
        Assert.Equal((7L, 0.5), (spec.Parameters["steps"]!.GetValue<long>(), spec.Parameters["rate"]!.GetValue<double>()));
        Assert.Equal(["steps", "rate"], spec.Changed!);   // mode is given but equals the preset's
    }

    [Fact]
    public void AnUnknownPresetIsRefusedNamingTheField()
    {
        var result = Validate("""{"method":"presets","parameters":{"preset":"fast","steps":3000}}""");
        Assert.False(result.IsValid);
        Assert.Contains("paper, demo", result.Errors["parameters.preset"].Single());
        Assert.True(result.Errors.ContainsKey("parameters.steps"));   // the rest is still checked
    }

    [Theory]
    [InlineData("""5""")]                        // wrong type
    [InlineData("""null""")]
    [InlineData("""["demo"]""")]
    [InlineData("""{"name":"demo"}""")]
    [InlineData("\"demo\\u0000\"")]            // NUL
    [InlineData("\"\\ud800\"")]                // a lone surrogate
    [InlineData("\"../../etc/passwd\"")]
    public void APresetThatIsNotOneOfTheNamesIsRefusedNamingTheField(string preset)
    {
        var huge = new string('p', 100_000);
        foreach (var value in new[] { preset, $"\"{huge}\"" })
        {
            var result = Validate($$$"""{"method":"presets","parameters":{"preset":{{{value}}}}}""");
            Assert.False(result.IsValid);
            Assert.Equal(["parameters.preset"], result.Errors.Keys);
        }
    }

    [Fact]
    public void AMethodWithoutPresetsTakesNoPreset()
    {
        var result = Validate("""{"method":"smoke","parameters":{"preset":"paper"}}""");
        Assert.Contains("unknown parameter", result.Errors["parameters.preset"].Single());
        Assert.Null(Validate("""{"method":"smoke"}""").Spec!.Preset);
    }

    [Fact]
    public void APresetHoldsEveryParameterAtTheRecordsValue()
    {
        var demo = new PresetMethod().Descriptor.Presets[Presets.Demo];
        Assert.Equal(["steps", "rate", "mode"], demo.Keys);
        Assert.Equal(5L, demo["steps"]!.GetValue<long>());
        Assert.Equal("lite", demo["mode"]!.GetValue<string>());
    }
}
