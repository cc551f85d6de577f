using AlignLab.Core.Methods;
using AlignLab.Training.Demo;
using AlignLab.Training.Methods.Figa;
using AlignLab.Training.Methods.Ppo;
using AlignLab.Training.Methods.RewardModeling;
using AlignLab.Training.Methods.Sft;
using AlignLab.Training.Registry;
using AlignLab.Training.Weights;
using static TorchSharp.torch;

namespace AlignLab.Training.Tests;

/// <summary>Every fine-tuning method trains with precision bf16-mixed (the default on CUDA), here on the CPU: the model
/// computes in bf16, checkpoints hold the fp32 masters, and the export carries them in fp32, changed by training.</summary>
public sealed class Bf16MixedMethodsTests(SftMethodTests.DemoModelFixture fixture) : IClassFixture<SftMethodTests.DemoModelFixture>
{
    private readonly ModelRegistry _registry = fixture.Registry;

    private const string Common = "\"precision\":\"bf16-mixed\",\"max_steps\":2,\"checkpoint_every\":1";

    public static TheoryData<string> Methods => ["sft", "figa", "reward-model", "ppo"];

    [Theory]
    [MemberData(nameof(Methods))]
    public async Task AMethodTrainsAndExportsItsFp32Masters(string name)
    {
        ITrainingMethod method = name switch
        {
            "sft" => new SftMethod(_registry),
            "figa" => new FigaMethod(_registry),
            "reward-model" => new RewardModelMethod(_registry),
            _ => new PpoMethod(_registry),
        };
        var extra = name switch
        {
            // Few and short examples (a small held-out split too): bf16 is slow on a CPU without bf16 matmuls.
            "sft" or "figa" => ",\"eval_every\":0,\"eval_fraction\":0.02,\"max_length\":48,\"batch_size\":2,\"grad_accum\":2",
            "reward-model" => ",\"eval_every\":0,\"eval_fraction\":0.02,\"max_length\":48,\"batch_size\":2",
            _ => ",\"preset\":\"demo\",\"reward\":\"keyword\",\"keyword\":\"Tokyo\",\"batch_size\":4,\"mini_batch_size\":2,\"ppo_epochs\":1,\"max_new_tokens\":6",
        };
        var context = new MethodContext(method, $$"""{ {{Common}}{{extra}} }""");
        await method.RunAsync(context);

        // The checkpoint after step 1 holds the masters in fp32 (the export follows the last step).
        var checkpoint = context.Checkpoints.Latest()!;
        Assert.Equal(1, checkpoint.Step);
        var saved = SafetensorsCheckpoint.Open(checkpoint.Directory);
        Assert.All(saved.Names, n => Assert.Equal(ScalarType.Float32, saved.Entry(n).DType));
        var export = SafetensorsCheckpoint.Open(Path.Combine(context.ArtifactDirectory, "export"));
        var initial = SafetensorsCheckpoint.Open(_registry.Resolve(DemoModel.Name));
        var changed = 0;
        foreach (var tensorName in initial.Names.Where(export.Names.Contains))
        {
            using var trained = export.Read(tensorName);
            using var before = initial.Read(tensorName);
            Assert.Equal(ScalarType.Float32, trained.dtype);
            if (!trained.allclose(before.to(ScalarType.Float32), rtol: 0, atol: 0)) changed++;
        }
        Assert.True(changed > 0, "training changed the exported weights");
    }
}
