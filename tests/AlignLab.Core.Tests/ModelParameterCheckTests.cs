using System.Text.Json.Nodes;
using AlignLab.Core.Methods;
using AlignLab.Core.Runs;

namespace AlignLab.Core.Tests;

/// <summary>Every model-like parameter is checked at submission with the role it plays, so a run that names a missing
/// model, a folder of the wrong kind (a retriever as a policy, a policy as a retriever) or no policy at all is refused
/// before anything is stored.</summary>
public sealed class ModelParameterCheckTests
{
    private sealed class ThreeModels : ITrainingMethod
    {
        public MethodDescriptor Descriptor { get; } = new("three", "Three models", "A method naming a policy, a reward model and a retriever.", "default",
        [
            ParameterSpec.Model("model", "policy-folder", ModelRole.Policy, "policy"),
            ParameterSpec.Model("reward_model", "", ModelRole.Reward, "reward model (empty: none)"),
            ParameterSpec.Model("retriever", "", ModelRole.Retriever, "retriever (empty: lexical)"),
        ]);

        public Task RunAsync(IRunContext context) => Task.CompletedTask;
    }

    /// <summary>Knows one folder of each kind; records what it was asked.</summary>
    private sealed class Folders : IModelReferenceCheck
    {
        public List<(string Reference, ModelRole Role)> Asked { get; } = [];

        public string? Check(string reference, ModelRole role)
        {
            Asked.Add((reference, role));
            var kind = reference switch { "policy-folder" => ModelRole.Policy, "rm-folder" => ModelRole.Reward, "bert-folder" => ModelRole.Retriever, _ => (ModelRole?)null };
            return kind is null ? $"no model '{reference}'" : kind == role ? null : $"'{reference}' is a {kind}, not a {role}";
        }

        public string? CheckChatTemplate(string reference) => null;
    }

    private static (RunRequestValidation Result, Folders Folders) Validate(string parameters)
    {
        var folders = new Folders();
        var validator = new RunRequestValidator(new MethodCatalog([new ThreeModels()]), folders);
        return (validator.Validate(JsonNode.Parse($$"""{"method":"three","parameters":{{parameters}}}""")), folders);
    }

    [Fact]
    public void EachModelParameterIsCheckedWithItsRoleAndEmptyOptionalOnesAreNotAsked()
    {
        var (ok, folders) = Validate("""{"reward_model":"rm-folder","retriever":"bert-folder"}""");
        Assert.True(ok.IsValid);
        Assert.Equal([("policy-folder", ModelRole.Policy), ("rm-folder", ModelRole.Reward), ("bert-folder", ModelRole.Retriever)], folders.Asked);

        var (defaults, asked) = Validate("{}");
        Assert.True(defaults.IsValid);
        Assert.Equal([("policy-folder", ModelRole.Policy)], asked.Asked);
    }

    [Theory]
    [InlineData("""{"retriever":"policy-folder"}""", "parameters.retriever", "not a Retriever")]
    [InlineData("""{"retriever":"/etc"}""", "parameters.retriever", "no model '/etc'")]
    [InlineData("""{"model":"bert-folder"}""", "parameters.model", "not a Policy")]
    [InlineData("""{"model":"nosuch"}""", "parameters.model", "no model 'nosuch'")]
    [InlineData("""{"model":""}""", "parameters.model", "required")]
    [InlineData("""{"model":"  "}""", "parameters.model", "required")]
    public void AMissingOrWrongKindOfModelIsRefusedNamingTheParameter(string parameters, string field, string message)
    {
        var (result, _) = Validate(parameters);
        Assert.False(result.IsValid);
        Assert.Contains(message, Assert.Single(result.Errors[field]));
    }
}
