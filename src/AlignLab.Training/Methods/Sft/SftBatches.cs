using static TorchSharp.torch;

namespace AlignLab.Training.Methods.Sft;

/// <summary>Tokenized (prompt, response) examples and the batches made of them. The order is a fresh shuffle per
/// epoch from the seed, so the k-th micro-batch is the same on every attempt: resuming at a step needs no saved
/// data position beyond the step itself.</summary>
public sealed class SftBatches(IReadOnlyList<(int[] Prompt, int[] Response)> examples, int batchSize, int seed, int padTokenId)
{
    public int Count => examples.Count;

    /// <summary>Micro-batch number <paramref name="index"/> (0-based, counted across epochs).</summary>
    public Batch Get(long index, Device device)
    {
        var picked = new List<(int[] Prompt, int[] Response)>(batchSize);
        for (long i = index * batchSize; i < (index + 1) * batchSize; i++)
        {
            var epoch = (int)(i / examples.Count);
            picked.Add(examples[Permutation(epoch)[(int)(i % examples.Count)]]);
        }
        return Batch.Pad(picked, padTokenId, device);
    }

    private readonly Dictionary<int, int[]> _permutations = new();

    private int[] Permutation(int epoch)
    {
        if (_permutations.TryGetValue(epoch, out var cached)) return cached;
        var order = Enumerable.Range(0, examples.Count).ToArray();
        new Random(seed + epoch).Shuffle(order);
        if (_permutations.Count > 4) _permutations.Clear();
        return _permutations[epoch] = order;
    }
}

/// <summary>A right-padded batch: ids, attention mask and the mask of response tokens, each (B, T).</summary>
public sealed record Batch(Tensor InputIds, Tensor AttentionMask, Tensor ResponseMask, long Tokens)
{
    public static Batch Pad(IReadOnlyList<(int[] Prompt, int[] Response)> examples, int padTokenId, Device device)
    {
        var length = examples.Max(e => e.Prompt.Length + e.Response.Length);
        var ids = new long[examples.Count * length];
        var attention = new long[ids.Length];
        var response = new long[ids.Length];
        Array.Fill(ids, padTokenId);
        for (int b = 0; b < examples.Count; b++)
        {
            var (prompt, answer) = examples[b];
            for (int i = 0; i < prompt.Length + answer.Length; i++)
            {
                ids[b * length + i] = i < prompt.Length ? prompt[i] : answer[i - prompt.Length];
                attention[b * length + i] = 1;
                response[b * length + i] = i < prompt.Length ? 0 : 1;
            }
        }
        long[] shape = [examples.Count, length];
        return new Batch(tensor(ids, shape, device: device), tensor(attention, shape, device: device),
            tensor(response, shape, device: device), attention.Sum());
    }
}
