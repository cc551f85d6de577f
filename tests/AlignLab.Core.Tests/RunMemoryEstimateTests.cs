using System.Text.Json.Nodes;
using AlignLab.Core.Memory;
using AlignLab.Core.Methods;
using AlignLab.Core.Runs;

namespace AlignLab.Core.Tests;

/// <summary>A run's memory estimate from its parameters, against hand-computed bytes, and its place in the validated spec.</summary>
public sealed class RunMemoryEstimateTests
{
    // 1,000 parameters, 2 layers, hidden 16, vocabulary 50, context 128.
    private static readonly ModelShape Shape = new(1_000, 2, 16, 50, 128);

    private static Dictionary<string, JsonNode?> Parameters(string json) =>
        JsonNode.Parse(json)!.AsObject().ToDictionary(p => p.Key, p => p.Value?.DeepClone());

    [Fact]
    public void AFigaRunCountsBothResponsesOfItsPairs()
    {
        // 8 pairs → 16 rows of 64 tokens, fp32, full fine-tuning:
        // weights 4·1,000 = 4,000; gradients and AdamW 3·4,000 = 12,000;
        // activations 17·16·64·16·2·4 = 2,228,224, logits 2·16·64·50·4 = 409,600. Total 2,653,824.
        var estimate = RunMemoryEstimate.For("figa", Parameters("""{"batch_size":8,"max_length":64,"precision":"fp32"}"""), Shape)!;
        Assert.Equal(2_653_824, estimate.Bytes);
        Assert.Equal("full fp32", estimate.Setting);
    }

    [Fact]
    public void AFigaPassOfSeveralMicroBatchesCountsAllTheirRows()
    {
        // As AFigaRunCountsBothResponsesOfItsPairs with 2 micro-batches per pass: 32 rows, so activations
        // 17·32·64·16·2·4 = 4,456,448 and logits 2·32·64·50·4 = 819,200, with the same 16,000 of weights and optimizer.
        // A pass holds at most grad_accum micro-batches (not limited when grad_accum is not given).
        string Figa(int perPass, int accumulation) => $$"""{"batch_size":8,"max_length":64,"precision":"fp32","grad_accum":{{accumulation}},"micro_batches_per_pass":{{perPass}}}""";
        Assert.Equal(16_000 + 4_456_448 + 819_200, RunMemoryEstimate.For("figa", Parameters(Figa(2, 16)), Shape)!.Bytes);
        Assert.Equal(2_653_824, RunMemoryEstimate.For("figa", Parameters(Figa(1, 16)), Shape)!.Bytes);
        Assert.Equal(16_000 + 4_456_448 + 819_200, RunMemoryEstimate.For("figa", Parameters(Figa(8, 2)), Shape)!.Bytes);
        Assert.Equal(16_000 + 4_456_448 + 819_200,
            RunMemoryEstimate.For("figa", Parameters("""{"batch_size":8,"max_length":64,"precision":"fp32","micro_batches_per_pass":2}"""), Shape)!.Bytes);
    }

    [Fact]
    public void APpoRunCountsItsMinibatchTheRolloutsCacheAndItsOtherModels()
    {
        // Pure bf16, LoRA: weights 2·1,000 = 2,000; adapters 4·8·16·2 = 1,024 values, fp32 with grads and moments:
        // 1,024·16 = 16,384; activations for a minibatch of 4 × 32 tokens: 17·4·32·16·2·2 = 139,264; logits of the 16
        // rollouts scored at once (more rows than the minibatch's 4) 2·16·32·50·4 = 204,800; reference free (LoRA); critic
        // 16,384; reward model 2,000; KV cache of the 16 rollouts: 2·2·16·32·16·2 = 65,536. Total 446,368.
        var estimate = RunMemoryEstimate.For("ppo",
            Parameters("""{"batch_size":16,"mini_batch_size":4,"max_length":32,"precision":"bf16","device":"cuda:0","lora":true}"""), Shape)!;
        Assert.Equal(446_368, estimate.Bytes);
        Assert.Equal("lora bf16", estimate.Setting);
    }

    [Fact]
    public void APpoRunGeneratingInPassesCountsTheCacheOfOnePass()
    {
        // As APpoRunCountsItsMinibatchTheRolloutsCacheAndItsOtherModels, with passes of 4 rollouts: a KV cache of
        // 2·2·4·32·16·2 = 16,384 instead of 65,536, and the logits of 4 rows (the pass, as many as the minibatch):
        // 2·4·32·50·4 = 51,200 instead of 204,800. A pass larger than the batch is the batch.
        string Ppo(int pass) => $$"""{"batch_size":16,"mini_batch_size":4,"max_length":32,"precision":"bf16","device":"cuda:0","lora":true,"generation_batch_size":{{pass}}}""";
        Assert.Equal(446_368 - 65_536 + 16_384 - 204_800 + 51_200, RunMemoryEstimate.For("ppo", Parameters(Ppo(4)), Shape)!.Bytes);
        Assert.Equal(446_368, RunMemoryEstimate.For("ppo", Parameters(Ppo(0)), Shape)!.Bytes);
        Assert.Equal(446_368, RunMemoryEstimate.For("ppo", Parameters(Ppo(64)), Shape)!.Bytes);
    }

    [Fact]
    public void APpoRunsLogitsAreOfItsResponsePositions()
    {
        // As APpoRunCountsItsMinibatchTheRolloutsCacheAndItsOtherModels with 8 new tokens of the 32: the output head runs
        // on the 8 positions that predict them, logits 2·16·8·50·4 = 51,200 instead of 204,800; the activations and the
        // KV cache are still of 32 tokens. More new tokens than max_length count max_length.
        string Ppo(int newTokens) => $$"""{"batch_size":16,"mini_batch_size":4,"max_length":32,"precision":"bf16","device":"cuda:0","lora":true,"max_new_tokens":{{newTokens}}}""";
        Assert.Equal(446_368 - 204_800 + 51_200, RunMemoryEstimate.For("ppo", Parameters(Ppo(8)), Shape)!.Bytes);
        Assert.Equal(446_368, RunMemoryEstimate.For("ppo", Parameters(Ppo(300)), Shape)!.Bytes);
    }

    [Fact]
    public void OnCudaAutoIsBf16ComputeWithFp32MasterWeights()
    {
        // 8 pairs → 16 rows of 64 tokens, bf16-mixed, full fine-tuning: weights 2·1,000 = 2,000; bf16 gradients 2,000 and
        // fp32 masters, their gradients and two moments 16·1,000 = 16,000; activations 17·16·64·16·2·2 = 1,114,112, logits
        // 2·16·64·50·4 = 409,600. Total 1,543,712.
        var estimate = RunMemoryEstimate.For("figa", Parameters("""{"batch_size":8,"max_length":64,"precision":"auto","device":"cuda"}"""), Shape)!;
        Assert.Equal(1_543_712, estimate.Bytes);
        Assert.Equal("full bf16-mixed", estimate.Setting);
        Assert.Equal(estimate, RunMemoryEstimate.For("figa", Parameters("""{"batch_size":8,"max_length":64,"precision":"bf16-mixed","device":"cpu"}"""), Shape));
        Assert.Equal("full fp32", RunMemoryEstimate.For("figa", Parameters("""{"batch_size":8,"max_length":64,"precision":"auto","device":"cpu"}"""), Shape)!.Setting);
    }

    [Fact]
    public void ActivationCheckpointingKeepsEachLayersInputAndOneLayersValues()
    {
        // As AFigaRunCountsBothResponsesOfItsPairs, with activations (2 + 17)·16·64·16·4 = 1,245,184 instead of 2,228,224.
        var estimate = RunMemoryEstimate.For("figa", Parameters("""{"batch_size":8,"max_length":64,"precision":"fp32","activation_checkpointing":true}"""), Shape)!;
        Assert.Equal(4_000 + 12_000 + 1_245_184 + 409_600, estimate.Bytes);
    }

    [Fact]
    public void TokensAreCappedByTheContextAndMethodsWithoutTrainingHaveNone()
    {
        var capped = RunMemoryEstimate.For("sft", Parameters("""{"batch_size":1,"max_length":4096}"""), Shape)!;
        var atContext = RunMemoryEstimate.For("sft", Parameters("""{"batch_size":1,"max_length":128}"""), Shape)!;
        Assert.Equal(atContext.Bytes, capped.Bytes);
        Assert.Null(RunMemoryEstimate.For("smoke", Parameters("{}"), Shape));
        Assert.Null(RunMemoryEstimate.For("evaluate", Parameters("{}"), Shape));
    }

    private sealed class Sft : ITrainingMethod
    {
        public MethodDescriptor Descriptor { get; } = new("sft", "SFT", "A method with a policy.", "default",
        [
            ParameterSpec.Model("model", "policy-folder", ModelRole.Policy, "policy"),
            ParameterSpec.Integer("batch_size", 8, 1, 4096, "rows"),
            ParameterSpec.Integer("max_length", 64, 8, 4096, "tokens"),
        ]);

        public Task RunAsync(IRunContext context) => Task.CompletedTask;
    }

    private sealed class KnownShape(ModelShape? shape) : IModelReferenceCheck
    {
        public string? Check(string reference, ModelRole role) => null;
        public string? CheckChatTemplate(string reference) => null;
        public ModelShape? ShapeOf(string reference) => shape;
    }

    [Fact]
    public void TheValidatedSpecRecordsTheEstimateWhenTheModelCanBeRead()
    {
        var request = JsonNode.Parse("""{"method":"sft","parameters":{"batch_size":4}}""");
        var spec = new RunRequestValidator(new MethodCatalog([new Sft()]), new KnownShape(Shape)).Validate(request).Spec!;
        // 4 rows × 64 tokens: 4,000 + 12,000 + 17·4·64·16·2·4 = 557,056 + 2·4·64·50·4 = 102,400 → 675,456.
        Assert.Equal(675_456, spec.Memory!.Bytes);
        Assert.Null(new RunRequestValidator(new MethodCatalog([new Sft()]), new KnownShape(null)).Validate(request).Spec!.Memory);
    }
}
