using AlignLab.Training.Inference;
using AlignLab.Training.Models;
using AlignLab.Training.Models.Llama;
using static TorchSharp.torch;

namespace AlignLab.Training.Tests;

/// <summary>The generation path of the speed work (preallocated cache and mask, stops found on the device) against the
/// stepwise path it replaced: the same tokens, stop flags and end tokens for a fixed seed, greedy and sampled, with
/// left padding, on GPT-2 and on a grouped-query Llama (the stop runs end rows early enough that they leave the batch);
/// stopped rows leaving with their cache; and the preallocated cache against concatenation.</summary>
public class GenerationPathTests
{
    private static readonly int[][] Prompts = [[5, 9, 17, 3, 2], [44, 12], [7, 7, 8], [30]];

    private static LlamaForCausalLM Llama()
    {
        random.manual_seed(11);
        var model = new LlamaForCausalLM(new LlamaConfig
        {
            model_type = "llama", vocab_size = 61, hidden_size = 32, intermediate_size = 48, num_hidden_layers = 2,
            num_attention_heads = 4, num_key_value_heads = 2, max_position_embeddings = 64, bos_token_id = 1, eos_token_id = 2,
        });
        model.eval();
        return model;
    }

    public static TheoryData<string, double> Cases => new()
    {
        { "gpt2", 0 }, { "gpt2", 1.0 }, { "gpt2", 1.5 }, { "llama", 0 }, { "llama", 1.0 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void TheNewPathGivesTheStepwisePathsTokens(string architecture, double temperature)
    {
        using CausalLM model = architecture == "gpt2" ? TinyModels.Gpt2(seed: 6) : Llama();
        // A stop token that the sampled rows meet early enough to end some rows and not others: the most common first
        // drawn token of the stepwise path without stops.
        var options = new GenerationOptions { MaxNewTokens = 20, Temperature = temperature, TopK = temperature > 1 ? 30 : 0,
            TopP = temperature > 1 ? 0.95 : 1, EosTokenId = -1, PadTokenId = 0, Seed = 1234 };
        var free = StepwiseGenerator.Generate(model, Prompts, options);
        var stop = free.SelectMany(s => s.Tokens.Skip(1).Take(4)).GroupBy(t => t).OrderByDescending(g => g.Count()).First().Key;
        foreach (var run in new[] { options, options with { EosTokenId = stop }, options with { StopTokenIds = [stop, free[0].Tokens[0]] } })
        {
            var expected = StepwiseGenerator.Generate(model, Prompts, run);
            var actual = TextGenerator.Generate(model, Prompts, run);
            Assert.Equal(expected.Select(s => (string.Join(',', s.Tokens), s.EndedWithEos, s.EndToken)),
                actual.Select(s => (string.Join(',', s.Tokens), s.EndedWithEos, s.EndToken)));
        }
        // The stop runs ended at least one row early, so the early exit was taken.
        Assert.Contains(TextGenerator.Generate(model, Prompts, options with { EosTokenId = stop }), s => s.EndedWithEos);
    }

    [Fact]
    public void InPassesThePromptsGoShortestFirstAndComeBackInTheirOrder()
    {
        using var model = TinyModels.Gpt2(seed: 6);
        var greedy = new GenerationOptions { MaxNewTokens = 12, Temperature = 0, EosTokenId = -1, PadTokenId = 0 };
        // Lengths 5, 2, 3, 1: passes of two are prompts {3, 1}, then {2, 0}, each padded to its own longest prompt.
        var first = TextGenerator.Generate(model, [Prompts[3], Prompts[1]], greedy);
        var second = TextGenerator.Generate(model, [Prompts[2], Prompts[0]], greedy);
        string Tokens(TextGenerator.Sequence s) => string.Join(',', s.Tokens);
        Assert.Equal(new[] { second[1], first[1], second[0], first[0] }.Select(Tokens),
            TextGenerator.Generate(model, Prompts, greedy with { BatchSize = 2 }).Select(Tokens));

        // Sampled: the first pass draws as a run of its prompts alone with the seed; the second continues the seed's
        // stream instead of starting it again.
        var sampled = greedy with { Temperature = 1.0, Seed = 77, MaxNewTokens = 16 };
        var inPasses = TextGenerator.Generate(model, Prompts, sampled with { BatchSize = 2 });
        var firstAlone = TextGenerator.Generate(model, [Prompts[3], Prompts[1]], sampled);
        Assert.Equal(firstAlone.Select(Tokens), new[] { inPasses[3], inPasses[1] }.Select(Tokens));
        var secondRestarted = TextGenerator.Generate(model, [Prompts[2], Prompts[0]], sampled);
        Assert.NotEqual(secondRestarted.Select(Tokens), new[] { inPasses[2], inPasses[0] }.Select(Tokens));
        Assert.Equal(inPasses.Select(Tokens), TextGenerator.Generate(model, Prompts, sampled with { BatchSize = 2 }).Select(Tokens));
    }

    [Fact]
    public void StoppedRowsLeaveWithTheirCacheOnceTheyAreAnEighthOfTheRowsInFlight()
    {
        // Sixteen rows whose keys, prompt lengths and inputs tell them apart: row r's keys are r·100 + their index.
        using var cache = new KvCache(1, capacity: 6);
        var keys = (arange(16).reshape(16, 1, 1, 1) * 100 + arange(2 * 3 * 4).reshape(1, 2, 3, 4)).to(ScalarType.Float32);
        cache.Append(0, keys, -keys);
        using var rows = new RowsInFlight(ones(16, 6, dtype: ScalarType.Int64), arange(16).reshape(16, 1) + 10, arange(16).reshape(16, 1) + 100);

        rows.Ended[3] = tensor(true);
        Assert.False(rows.DropStopped(cache));
        Assert.True(rows.Whole);                                            // 1 of 16 stopped: under an eighth, it stays
        rows.Ended[9] = tensor(true);
        Assert.False(rows.DropStopped(cache));                              // 2 of 16: both leave

        long[] kept = [.. Enumerable.Range(0, 16).Where(r => r is not (3 or 9)).Select(r => (long)r)];
        Assert.Equal(kept, rows.Rows.data<long>().ToArray());
        Assert.Equal(kept.Select(r => r + 10), rows.PromptLengths.data<long>().ToArray());
        Assert.Equal(kept.Select(r => r + 100), rows.Next.data<long>().ToArray());
        Assert.Equal([14L, 6L], rows.Mask.shape);
        Assert.False(rows.Ended.any().item<bool>());
        Assert.Equal(kept, rows.OfPass(arange(16)).data<long>().ToArray());

        // The cache holds the kept rows' positions, in their order, and takes the next position of the 14.
        var (cachedKeys, cachedValues) = cache.Append(0, zeros(14, 2, 1, 4), zeros(14, 2, 1, 4));
        var keptIndex = tensor(kept);
        Assert.True(cachedKeys.narrow(2, 0, 3).eq(keys.index_select(0, keptIndex)).all().item<bool>());
        Assert.True(cachedValues.narrow(2, 0, 3).eq(-keys.index_select(0, keptIndex)).all().item<bool>());

        // Values of the rows in flight land in their rows of the pass; the rows that left keep what they had.
        var column = full(16, -1L);
        rows.WriteInto(column, arange(14) + 1000);
        var written = column.data<long>().ToArray();
        Assert.Equal(-1, written[3]);
        Assert.Equal(-1, written[9]);
        Assert.Equal(kept.Select((r, i) => 1000L + i), kept.Select(r => written[r]));

        rows.Ended.fill_(true);
        Assert.True(rows.DropStopped(cache));                               // every row stopped: the pass ends
    }

    [Fact]
    public void APromptThatFillsTheContextGeneratesNothing()
    {
        using var model = TinyModels.Gpt2(seed: 6);
        var full = Enumerable.Range(1, 64).ToArray();          // n_positions = 64
        var sequence = Assert.Single(TextGenerator.Generate(model, [full], new GenerationOptions { MaxNewTokens = 5, EosTokenId = -1 }));
        Assert.Empty(sequence.Tokens);
        Assert.False(sequence.EndedWithEos);
    }

    [Fact]
    public void APreallocatedCacheHoldsWhatConcatenationHoldsAndRefusesToOverflow()
    {
        using var grown = new KvCache(1);
        using var preallocated = new KvCache(1, capacity: 5);
        random.manual_seed(3);
        var (keys, values) = (randn(2, 3, 3, 4), randn(2, 3, 3, 4));
        var (more, moreValues) = (randn(2, 3, 1, 4), randn(2, 3, 1, 4));
        grown.Append(0, keys, values);
        preallocated.Append(0, keys, values);
        var a = grown.Append(0, more, moreValues);
        var b = preallocated.Append(0, more, moreValues);
        Assert.Equal(4, preallocated.Length);
        Assert.True(a.Keys.eq(b.Keys).all().item<bool>());
        Assert.True(a.Values.eq(b.Values).all().item<bool>());
        preallocated.Append(0, more, moreValues);
        Assert.Throws<InvalidOperationException>(() => preallocated.Append(0, more, moreValues));   // 6 > 5 positions
    }

    [Fact]
    public void TheDecodeStepsBiasEqualsTheGeneralOne()
    {
        // One query over five keys, the second row left-padded by two: the general construction (with window = the whole
        // length, which takes the general path and masks nothing more) against the decode shortcut.
        var mask = tensor(new long[] { 1, 1, 1, 1, 1, 0, 0, 1, 1, 1 }, [2, 5]);
        var shortcut = CausalLM.AttentionBias(mask, 2, 1, 4, ScalarType.Float32, CPU);
        var general = CausalLM.AttentionBias(mask, 2, 1, 4, ScalarType.Float32, CPU, window: 100);
        Assert.True(shortcut.eq(general).all().item<bool>());
        Assert.Equal(float.MinValue, shortcut[1, 0, 0, 0].item<float>());
        Assert.Equal(0f, shortcut[1, 0, 0, 4].item<float>());
    }
}
