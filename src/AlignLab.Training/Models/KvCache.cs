using static TorchSharp.torch;

namespace AlignLab.Training.Models;

/// <summary>Keys and values of the positions a causal LM has already seen, per layer, each (B, heads, T, head_dim).
/// Owns its tensors: they live outside any per-step dispose scope until the cache is disposed.
/// <list type="bullet">
/// <item>With a <c>capacity</c> (generation, which knows its longest sequence) each layer's buffer is allocated once, at the
/// first pass, and every later pass writes its positions into it: no copy of the whole cache per token.</item>
/// <item>Without one, each pass concatenates (scoring a prefix once, tests).</item>
/// </list></summary>
public sealed class KvCache : IDisposable
{
    private readonly (Tensor Keys, Tensor Values)?[] _layers;
    private readonly long[] _lengths;
    private readonly long? _capacity;

    public KvCache(int layers, long? capacity = null)
    {
        if (capacity is <= 0) throw new ArgumentOutOfRangeException(nameof(capacity), "a cache holds at least one position");
        _layers = new (Tensor, Tensor)?[layers];
        _lengths = new long[layers];
        _capacity = capacity;
    }

    /// <summary>Positions cached so far (0 before the first forward pass).</summary>
    public long Length => _lengths[0];

    /// <summary>Appends this step's keys and values of one layer and returns the full ones to attend to.</summary>
    public (Tensor Keys, Tensor Values) Append(int layer, Tensor keys, Tensor values)
    {
        var added = keys.shape[2];
        if (_capacity is not { } capacity)
        {
            if (_layers[layer] is { } past)
            {
                keys = cat([past.Keys, keys], 2);
                values = cat([past.Values, values], 2);
                past.Keys.Dispose();
                past.Values.Dispose();
            }
            _layers[layer] = (keys.DetachFromDisposeScope(), values.DetachFromDisposeScope());
            _lengths[layer] += added;
            return _layers[layer]!.Value;
        }

        var length = _lengths[layer];
        if (length + added > capacity)
            throw new InvalidOperationException($"the KV cache holds {capacity} positions; {length} + {added} do not fit");
        if (_layers[layer] is not { } buffer)
        {
            var shape = new[] { keys.shape[0], keys.shape[1], capacity, keys.shape[3] };
            buffer = (empty(shape, keys.dtype, keys.device).DetachFromDisposeScope(), empty(shape, values.dtype, values.device).DetachFromDisposeScope());
            _layers[layer] = buffer;
        }
        buffer.Keys.narrow(2, length, added).copy_(keys);
        buffer.Values.narrow(2, length, added).copy_(values);
        _lengths[layer] = length + added;
        return (buffer.Keys.narrow(2, 0, length + added), buffer.Values.narrow(2, 0, length + added));
    }

    /// <summary>Keeps only the rows of <paramref name="index"/> (batch positions), e.g. sequences still generating.</summary>
    public void Select(Tensor index)
    {
        for (int i = 0; i < _layers.Length; i++)
            if (_layers[i] is { } layer)
            {
                _layers[i] = (layer.Keys.index_select(0, index).DetachFromDisposeScope(), layer.Values.index_select(0, index).DetachFromDisposeScope());
                layer.Keys.Dispose();
                layer.Values.Dispose();
            }
    }

    public void Dispose()
    {
        foreach (var layer in _layers)
        {
            layer?.Keys.Dispose();
            layer?.Values.Dispose();
        }
        Array.Clear(_layers);
        Array.Clear(_lengths);
    }
}
