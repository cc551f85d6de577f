using System.Text.Json.Nodes;
using AlignLab.Core.Methods;
using AlignLab.Core.Methods.Smoke;
using AlignLab.Core.Runs;

namespace AlignLab.Core.Tests;

public class RunRequestValidatorTests
{
    private readonly RunRequestValidator _validator = new(new MethodCatalog([new SmokeMethod()]));

    private RunRequestValidation Validate(string json) => _validator.Validate(JsonNode.Parse(json));

    [Fact]
    public void AMinimalRequestGetsEveryDefault()
    {
        var result = Validate("""{"method":"smoke"}""");

        Assert.True(result.IsValid);
        var spec = result.Spec!;
        Assert.Equal("smoke", spec.Method);
        Assert.Equal("smoke", spec.Name);
        Assert.Equal("default", spec.Queue);
        Assert.Equal(100, spec.Parameters["steps"]!.GetValue<long>());
        Assert.Equal(0.05, spec.Parameters["decay"]!.GetValue<double>());
        Assert.Equal(new SmokeMethod().Descriptor.Parameters.Select(p => p.Name).Order(), spec.Parameters.Keys.Order());
    }

    [Fact]
    public void GivenValuesNameAndQueueAreKept()
    {
        var result = Validate("""{"method":"smoke","name":"  my run ","queue":"gpu","parameters":{"steps":7,"decay":1}}""");

        Assert.Equal("my run", result.Spec!.Name);
        Assert.Equal("gpu", result.Spec.Queue);
        Assert.Equal(7, result.Spec.Parameters["steps"]!.GetValue<long>());
        Assert.Equal(1.0, result.Spec.Parameters["decay"]!.GetValue<double>());
    }

    [Theory]
    [InlineData("""{"method":"nope"}""", "method", "unknown method 'nope'")]
    [InlineData("""{}""", "method", "required")]
    [InlineData("""{"method":3}""", "method", "required")]
    [InlineData("""{"method":"smoke","parameters":{"steps":0}}""", "parameters.steps", "between 1 and 1000000")]
    [InlineData("""{"method":"smoke","parameters":{"steps":2.5}}""", "parameters.steps", "whole number")]
    [InlineData("""{"method":"smoke","parameters":{"steps":"ten"}}""", "parameters.steps", "must be an integer, not a string")]
    [InlineData("""{"method":"smoke","parameters":{"decay":-1}}""", "parameters.decay", "between 0 and 10")]
    [InlineData("""{"method":"smoke","parameters":{"decay":null}}""", "parameters.decay", "must not be null")]
    [InlineData("""{"method":"smoke","parameters":{"bogus":1}}""", "parameters.bogus", "unknown parameter")]
    [InlineData("""{"method":"smoke","parameters":[1]}""", "parameters", "must be an object")]
    [InlineData("""{"method":"smoke","queue":"tpu"}""", "queue", "must be one of gpu, cpu, default")]
    [InlineData("""{"method":"smoke","colour":"red"}""", "colour", "unknown field")]
    [InlineData("""[1,2]""", "$", "JSON object")]
    public void InvalidRequestsNameTheField(string json, string field, string message)
    {
        var result = Validate(json);

        Assert.False(result.IsValid);
        Assert.True(result.Errors.ContainsKey(field), $"errors: {string.Join("; ", result.Errors.Keys)}");
        Assert.Contains(message, string.Join(" ", result.Errors[field]));
    }

    [Fact]
    public void AllErrorsAreReportedTogether()
    {
        var result = Validate("""{"method":"smoke","queue":"x","parameters":{"steps":-1,"delay_ms":"slow"}}""");

        Assert.Equal(["parameters.delay_ms", "parameters.steps", "queue"], result.Errors.Keys.Order());
    }

    [Fact]
    public void AnOverlongNameIsRejected()
    {
        var result = Validate($$"""{"method":"smoke","name":"{{new string('x', RunRequestValidator.MaxNameLength + 1)}}"}""");
        Assert.Contains("name", result.Errors.Keys);
    }
}
