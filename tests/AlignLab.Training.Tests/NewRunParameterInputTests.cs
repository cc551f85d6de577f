using System.Text.Json.Nodes;
using AlignLab.Core.Methods;
using AlignLab.Core.Methods.Smoke;
using AlignLab.Core.Runs;
using AlignLab.Training.Methods.Figa;
using AlignLab.Training.Methods.Ppo;
using AlignLab.Training.Methods.Sft;
using AlignLab.Training.Registry;

namespace AlignLab.Training.Tests;

/// <summary>The run parameters of the speed and memory work (activation_checkpointing, disable_dropout, share_prefixes, fused_adamw, precision bf16-mixed, PPO's
/// generation_batch_size, FIGA's micro_batches_per_pass, the smoke method's fail_with) refuse bad values naming the field, and no spec is made (nothing
/// can be stored).</summary>
public class NewRunParameterInputTests
{
    private static readonly ModelRegistry Registry = new([TinyModels.TempFolder()]);
    private static readonly RunRequestValidator Validator =
        new(new MethodCatalog([new SftMethod(Registry), new PpoMethod(Registry), new FigaMethod(Registry), new SmokeMethod()]));

    public static TheoryData<string, string, string> BadValues => new()
    {
        { "sft", "activation_checkpointing", "\"yes\"" },
        { "sft", "activation_checkpointing", "1" },
        { "sft", "activation_checkpointing", "[true]" },
        { "ppo", "disable_dropout", "\"no\"" },
        { "ppo", "disable_dropout", "0" },
        { "figa", "share_prefixes", "\"yes\"" },
        { "ppo", "share_prefixes", "1" },
        { "sft", "fused_adamw", "\"on\"" },
        { "figa", "fused_adamw", "0" },
        { "sft", "precision", "\"bf16-mixed\\u0000\"" },
        { "sft", "precision", "\"bf17\"" },
        { "sft", "precision", "true" },
        { "sft", "precision", $"\"{new string('x', 100_000)}\"" },
        { "smoke", "fail_with", "\"out_of_memory\\u0000\"" },
        { "smoke", "fail_with", "{}" },
        { "ppo", "generation_batch_size", "-1" },
        { "ppo", "generation_batch_size", "2.5" },
        { "ppo", "generation_batch_size", "\"8\"" },
        { "ppo", "generation_batch_size", "5000" },
        { "figa", "micro_batches_per_pass", "0" },
        { "figa", "micro_batches_per_pass", "1.5" },
        { "figa", "micro_batches_per_pass", "\"2\"" },
        { "figa", "micro_batches_per_pass", "\"2\\u0000\"" },
        { "figa", "micro_batches_per_pass", "5000" },
        { "figa", "micro_batches_per_pass", "99999999999999999999" },
    };

    [Theory]
    [MemberData(nameof(BadValues))]
    public void ABadValueIsRefusedNamingItsField(string method, string field, string json)
    {
        var validation = Validator.Validate(JsonNode.Parse($$$"""{"method":"{{{method}}}","parameters":{"{{{field}}}":{{{json}}}}}"""));
        Assert.Null(validation.Spec);
        Assert.Contains($"parameters.{field}", validation.Errors.Keys);
    }

    [Fact]
    public void TheGoodValuesAreTaken()
    {
        Assert.NotNull(Validator.Validate(JsonNode.Parse("""{"method":"sft","parameters":{"precision":"bf16-mixed","activation_checkpointing":true}}""")).Spec);
        Assert.NotNull(Validator.Validate(JsonNode.Parse("""{"method":"smoke","parameters":{"fail_at_step":2,"fail_with":"out_of_memory"}}""")).Spec);
        Assert.NotNull(Validator.Validate(JsonNode.Parse("""{"method":"ppo","parameters":{"preset":"demo","generation_batch_size":4}}""")).Spec);
        Assert.NotNull(Validator.Validate(JsonNode.Parse("""{"method":"figa","parameters":{"preset":"demo","micro_batches_per_pass":4}}""")).Spec);
        Assert.NotNull(Validator.Validate(JsonNode.Parse("""{"method":"figa","parameters":{"share_prefixes":false}}""")).Spec);
        Assert.NotNull(Validator.Validate(JsonNode.Parse("""{"method":"sft","parameters":{"fused_adamw":false}}""")).Spec);
    }
}
