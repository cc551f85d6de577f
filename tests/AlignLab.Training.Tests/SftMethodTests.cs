using AlignLab.Training.Demo;
using AlignLab.Training.Methods.Sft;
using AlignLab.Training.Models;
using AlignLab.Training.Registry;
using AlignLab.Training.Weights;
using static TorchSharp.torch;

namespace AlignLab.Training.Tests;

/// <summary>SFT on the demo data with a tiny demo model (shared by the tests of this class).</summary>
public sealed class SftMethodTests : IClassFixture<SftMethodTests.DemoModelFixture>
{
    public sealed class DemoModelFixture
    {
        public ModelRegistry Registry { get; }

        public DemoModelFixture() => Registry = new ModelRegistry([TinyModels.DemoRoot()]);
    }

    private readonly ModelRegistry _registry;

    public SftMethodTests(DemoModelFixture fixture) => _registry = fixture.Registry;

    private const string Fast = """ "batch_size":8,"max_length":96,"eval_fraction":0.05,"eval_every":0,"warmup_steps":5,"learning_rate":0.002""";

    [Fact]
    public async Task FineTuningOnTheDemoDataLowersTheHeldOutLoss()
    {
        var context = new MethodContext(new SftMethod(_registry), $$"""{ {{Fast}}, "max_steps":40,"checkpoint_every":0 }""");
        await new SftMethod(_registry).RunAsync(context);

        var eval = context.Series("eval_loss").ToList();
        Assert.Equal(2, eval.Count);                              // before training and at the end
        Assert.True(eval[1] < eval[0] * 0.6, $"eval loss {eval[0]:0.000} → {eval[1]:0.000}");
        Assert.Equal(40, context.Series("loss").Count());
        Assert.All(context.Series("grad_norm"), g => Assert.True(double.IsFinite(g)));
        Assert.True(context.Series("lr").Max() <= 0.002 + 1e-12);

        // The export is a Hugging Face folder that loads and scores like the trained model did.
        var export = Path.Combine(context.ArtifactDirectory, "export");
        Assert.True(File.Exists(Path.Combine(export, "vocab.json")));
        using var exported = ModelFolder.Load(export);
        Assert.NotNull(exported);
    }

    [Theory]
    [InlineData("fp32", 16, 9)]
    [InlineData("bf16-mixed", 6, 3)]   // the checkpoint holds the fp32 master weights, not the model's bf16 rounding of them (fewer steps: bf16 is slow on this CPU)
    public async Task ARunKilledMidwayResumesAtItsCheckpointAndEndsWhereAnUninterruptedRunEnds(string precision, int steps, int killedAfter)
    {
        var parameters = $$"""{ {{Fast}}, "max_steps":{{steps}},"checkpoint_every":0,"precision":"{{precision}}" }""";
        var whole = new MethodContext(new SftMethod(_registry), parameters);
        await new SftMethod(_registry).RunAsync(whole);

        // Cancelled as soon as step `killedAfter` is reported: the method checkpoints at that step and stops.
        var artifacts = TinyModels.TempFolder();
        var first = new MethodContext(new SftMethod(_registry), parameters, artifacts, cancelAt: ("loss", killedAfter));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new SftMethod(_registry).RunAsync(first));
        Assert.Equal(killedAfter, first.Checkpoints.Latest()!.Step);

        var retry = new MethodContext(new SftMethod(_registry), parameters, artifacts);
        await new SftMethod(_registry).RunAsync(retry);
        Assert.Equal(Enumerable.Range(killedAfter + 1, steps - killedAfter).Select(s => (long)s), retry.Points.Where(p => p.Name == "loss").Select(p => p.Step));

        // Same optimizer state, data position and RNG: the resumed curve and weights equal the uninterrupted ones.
        Assert.Equal(whole.Series("loss").Skip(killedAfter), retry.Series("loss"), new Close(1e-5));
        var a = SafetensorsCheckpoint.Open(Path.Combine(whole.ArtifactDirectory, "export"));
        var b = SafetensorsCheckpoint.Open(Path.Combine(artifacts, "export"));
        foreach (var name in a.Names)
        {
            using var x = a.Read(name);
            using var y = b.Read(name);
            Assert.Equal(ScalarType.Float32, x.dtype);                // bf16-mixed exports its fp32 masters
            Assert.True(x.allclose(y, rtol: 1e-4, atol: 1e-6), name);
        }
    }

    [Fact]
    public async Task WithActivationCheckpointingARunFollowsTheSameCurve()
    {
        var plain = new MethodContext(new SftMethod(_registry), $$"""{ {{Fast}}, "max_steps":8,"checkpoint_every":0 }""");
        await new SftMethod(_registry).RunAsync(plain);
        var checkpointed = new MethodContext(new SftMethod(_registry), $$"""{ {{Fast}}, "max_steps":8,"checkpoint_every":0,"activation_checkpointing":true }""");
        await new SftMethod(_registry).RunAsync(checkpointed);
        // Same data, seed and arithmetic: checkpointing changes what is kept, not what is computed (with dropout: ActivationCheckpointingTests).
        Assert.Equal(plain.Series("loss"), checkpointed.Series("loss"), new Close(1e-5));
        Assert.Equal(plain.Series("grad_norm"), checkpointed.Series("grad_norm"), new Close(1e-4));
    }

    [Fact]
    public async Task ACorruptCheckpointFailsTheRunInsteadOfRestartingFromZero()
    {
        var artifacts = TinyModels.TempFolder();
        var parameters = $$"""{ {{Fast}}, "max_steps":6,"checkpoint_every":3 }""";
        var first = new MethodContext(new SftMethod(_registry), parameters, artifacts, cancelAt: ("loss", 4));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new SftMethod(_registry).RunAsync(first));
        File.WriteAllText(Path.Combine(first.Checkpoints.Latest()!.Directory, "model.safetensors"), "garbage");

        var retry = new MethodContext(new SftMethod(_registry), parameters, artifacts);
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => new SftMethod(_registry).RunAsync(retry));
        Assert.Contains("checkpoint at step 4", error.Message);
        Assert.Empty(retry.Series("loss"));
    }

    [Fact]
    public async Task LoraFineTuningTrainsOnlyTheAdaptersAndExportsThemMerged()
    {
        var context = new MethodContext(new SftMethod(_registry), """{ "batch_size":8,"max_length":96,"eval_every":0,"warmup_steps":2,"learning_rate":0.01,"max_steps":15,"checkpoint_every":0,"lora":true,"lora_r":8,"lora_alpha":32 }""");
        await new SftMethod(_registry).RunAsync(context);

        var eval = context.Series("eval_loss").ToList();
        Assert.True(eval[1] < eval[0], $"eval loss {eval[0]:0.000} → {eval[1]:0.000}");
        var trained = SafetensorsCheckpoint.Open(Path.Combine(context.ArtifactDirectory, "export"));
        var original = SafetensorsCheckpoint.Open(_registry.Resolve(DemoModel.Name));
        Assert.DoesNotContain(trained.Names, n => n.Contains("lora"));
        using (var frozenBefore = original.Read("transformer.h.0.mlp.c_fc.weight"))
        using (var frozenAfter = trained.Read("transformer.h.0.mlp.c_fc.weight"))
            Assert.True(frozenBefore.eq(frozenAfter).all().item<bool>());
        using (var adaptedBefore = original.Read("transformer.h.0.attn.c_attn.weight"))
        using (var adaptedAfter = trained.Read("transformer.h.0.attn.c_attn.weight"))
            Assert.False(adaptedBefore.allclose(adaptedAfter));
    }

    [Fact]
    public async Task WithTheDefaultsTheDemoModelLearnsToAnswerDemoQuestions()
    {
        var context = await DemoSftPolicy.RunAsync();        // SFT with its defaults ("{}") on the demo model

        var export = Path.Combine(context.ArtifactDirectory, "export");
        using var model = ModelFolder.Load(export);
        var tokenizer = AlignLab.Core.Tokenization.TextTokenizer.Load(export);
        string Answer(string question)
        {
            var prompt = tokenizer.Encode(AlignLab.Core.Tokenization.PromptTemplate.Alpaca.Render(question, ""));
            var options = new Inference.GenerationOptions { MaxNewTokens = 24, Temperature = 0, EosTokenId = tokenizer.EosTokenId };
            return tokenizer.Decode(Inference.TextGenerator.Generate(model, [prompt], options)[0].Tokens);
        }
        Assert.Equal("The capital of Japan is Tokyo.", Answer("What is the capital of Japan?"));
        Assert.Contains("green", Answer("What color is a lime?"));
    }

    [Fact]
    public void ModelsOutsideTheRootsAreRefused()
    {
        Assert.Contains("outside the model roots", Assert.Throws<ArgumentException>(() => _registry.Resolve("../../etc")).Message);
        Assert.Contains("outside the model roots", Assert.Throws<ArgumentException>(() => _registry.Resolve("/etc")).Message);
        Assert.Contains("no model 'missing'", Assert.Throws<ArgumentException>(() => _registry.Resolve("missing")).Message);
        var entry = Assert.Single(_registry.List());
        Assert.Equal((DemoModel.Name, "gpt2", 4), (entry.Name, entry.ModelType, entry.Layers));
    }

    private sealed class Close(double epsilon) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= epsilon * Math.Max(1, Math.Abs(x));
        public int GetHashCode(double obj) => 0;
    }
}
