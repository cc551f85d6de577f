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
}
