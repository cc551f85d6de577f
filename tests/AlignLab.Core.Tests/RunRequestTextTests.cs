using System.Text.Json.Nodes;
using AlignLab.Core.Methods;
using AlignLab.Core.Methods.Smoke;
using AlignLab.Core.Runs;

namespace AlignLab.Core.Tests;

/// <summary>Text that PostgreSQL or a tokenizer cannot take (NUL, an escaped lone surrogate) is a 400 naming the field at
/// the shared validation, never an exception further down.</summary>
public sealed class RunRequestTextTests
{
    private readonly RunRequestValidator _validator = new(new MethodCatalog([new SmokeMethod()]));

    [Theory]
    [InlineData("""{"method":"smoke","name":"a\u0000b"}""", "name", "NUL")]
    [InlineData("""{"method":"smoke","name":"a\ud800b"}""", "name", "lone surrogate")]
    public void RunNamesWithNulOrLoneSurrogatesAreRefusedNamingTheField(string body, string field, string message)
    {
        var result = _validator.Validate(JsonNode.Parse(body));
        Assert.False(result.IsValid);
        Assert.Contains(message, result.Errors[field][0]);
    }

    [Theory]
    [InlineData("\"a\\u0000b\"", "NUL")]
    [InlineData("\"a\\ud800b\"", "lone surrogate")]
    [InlineData("\"\\udc00\"", "lone surrogate")]
    public void TextAndModelParametersRefuseNulAndLoneSurrogates(string json, string message)
    {
        foreach (var spec in new[] { ParameterSpec.Text("keyword", "", 100, "a keyword"), ParameterSpec.Model("model", "", ModelRole.Policy, "a model") })
            Assert.Contains(message, spec.Validate(JsonNode.Parse(json), out _));
        Assert.Null(ParameterSpec.Text("keyword", "", 100, "a keyword").Validate(JsonNode.Parse("\"emoji 🎉\""), out _));
    }
}
