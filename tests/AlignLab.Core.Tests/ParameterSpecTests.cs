using System.Text.Json.Nodes;
using AlignLab.Core.Methods;

namespace AlignLab.Core.Tests;

public class ParameterSpecTests
{
    [Theory]
    [InlineData("1", true)]
    [InlineData("10", true)]
    [InlineData("0", false)]
    [InlineData("11", false)]
    [InlineData("1.0", true)]
    [InlineData("true", false)]
    public void IntegersAreCheckedAgainstTheirRange(string value, bool ok)
    {
        var spec = ParameterSpec.Integer("n", 5, 1, 10, "");
        Assert.Equal(ok, spec.Validate(JsonNode.Parse(value), out var normalized) is null);
        if (ok) Assert.Equal(long.Parse(value.Split('.')[0]), normalized!.GetValue<long>());
    }

    [Fact]
    public void ChoicesAcceptOnlyTheirValues()
    {
        var spec = ParameterSpec.Choice("variant", "none", ["none", "inverted"], "");
        Assert.Null(spec.Validate(JsonValue.Create("inverted"), out _));
        Assert.Equal("must be one of none, inverted", spec.Validate(JsonValue.Create("both"), out _));
    }

    [Fact]
    public void NumbersMustBeFiniteAndInRange()
    {
        var spec = ParameterSpec.Number("lr", 1e-5, 0, 1, "");
        Assert.Null(spec.Validate(JsonValue.Create(0.5), out var normalized));
        Assert.Equal(0.5, normalized!.GetValue<double>());
        Assert.NotNull(spec.Validate(JsonValue.Create(1.5), out _));
        Assert.NotNull(spec.Validate(JsonValue.Create("0.5"), out _));
    }

    [Fact]
    public void BooleansAndTexts()
    {
        Assert.Null(ParameterSpec.Boolean("b", false, "").Validate(JsonValue.Create(true), out _));
        Assert.NotNull(ParameterSpec.Boolean("b", false, "").Validate(JsonValue.Create(1), out _));
        Assert.NotNull(ParameterSpec.Text("t", "", 3, "").Validate(JsonValue.Create("abcd"), out _));
        Assert.Null(ParameterSpec.Text("t", "", 3, "").Validate(JsonValue.Create("abc"), out _));
    }
}

public class DatasetParameterTests
{
    [Fact]
    public void DatasetsAreIdsOrBuiltInNames()
    {
        var spec = ParameterSpec.Dataset("dataset", "demo-spa", ["demo-spa"], "");
        Assert.Null(spec.Validate(JsonValue.Create("demo-spa"), out _));
        Assert.Null(spec.Validate(JsonValue.Create(Guid.NewGuid().ToString()), out _));
        Assert.Equal("must be a dataset id or one of demo-spa", spec.Validate(JsonValue.Create("../etc/passwd"), out _));
        Assert.NotNull(spec.Validate(JsonValue.Create(3), out _));
    }

    [Fact]
    public void NumbersBuiltInCodeValidateLikeParsedOnes()
    {
        // A sweep's grid or a client builds nodes from int, float, decimal: not only parsed JSON.
        var steps = ParameterSpec.Integer("steps", 10, 1, 100, "");
        Assert.Null(steps.Validate(JsonValue.Create(7), out var seven));
        Assert.Equal(7L, seven!.GetValue<long>());
        Assert.Null(steps.Validate(JsonValue.Create(8.0), out var eight));
        Assert.Equal(8L, eight!.GetValue<long>());
        Assert.Equal("must be a whole number", steps.Validate(JsonValue.Create(2.5m), out _));
        var rate = ParameterSpec.Number("lr", 0.1, 0, 1, "");
        Assert.Null(rate.Validate(JsonValue.Create(1), out var one));
        Assert.Equal(1.0, one!.GetValue<double>());
        Assert.Null(rate.Validate(JsonValue.Create(0.25f), out var quarter));
        Assert.Equal(0.25, quarter!.GetValue<double>());
        Assert.Equal("must be between 0 and 1", rate.Validate(JsonValue.Create(2), out _));
    }
}
