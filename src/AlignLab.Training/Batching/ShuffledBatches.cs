namespace AlignLab.Training.Batching;

/// <summary>Micro-batches drawn from a fresh shuffle of the examples per epoch, seeded: the k-th micro-batch is the
/// same on every attempt, so resuming at a step needs no saved data position beyond the step itself.</summary>
public sealed class ShuffledBatches<T>(IReadOnlyList<T> examples, int batchSize, int seed)
{
    private readonly Dictionary<int, int[]> _permutations = new();

    public int Count => examples.Count;

    /// <summary>Micro-batch number <paramref name="index"/> (0-based, counted across epochs).</summary>
    public IReadOnlyList<T> Get(long index)
    {
        var picked = new List<T>(batchSize);
        for (long i = index * batchSize; i < (index + 1) * batchSize; i++)
            picked.Add(examples[Permutation((int)(i / examples.Count))[(int)(i % examples.Count)]]);
        return picked;
    }

    private int[] Permutation(int epoch)
    {
        if (_permutations.TryGetValue(epoch, out var cached)) return cached;
        var order = Enumerable.Range(0, examples.Count).ToArray();
        new Random(seed + epoch).Shuffle(order);
        if (_permutations.Count > 4) _permutations.Clear();
        return _permutations[epoch] = order;
    }
}
