using static TorchSharp.torch;

namespace AlignLab.Training.Models;

/// <summary>Keys and values of the positions a causal LM has already seen, per layer, each (B, heads, T, head_dim).
/// Owns its tensors: they live outside any per-step dispose scope until the cache is disposed.</summary>
public sealed class KvCache : IDisposable
{
    private readonly (Tensor Keys, Tensor Values)?[] _layers;

    public KvCache(int layers) => _layers = new (Tensor, Tensor)?[layers];

    /// <summary>Positions cached so far (0 before the first forward pass).</summary>
    public long Length => _layers[0]?.Keys.shape[2] ?? 0;

    /// <summary>Appends this step's keys and values of one layer and returns the full ones to attend to.</summary>
    public (Tensor Keys, Tensor Values) Append(int layer, Tensor keys, Tensor values)
    {
        if (_layers[layer] is { } past)
        {
            keys = cat([past.Keys, keys], 2);
            values = cat([past.Values, values], 2);
            past.Keys.Dispose();
            past.Values.Dispose();
        }
        _layers[layer] = (keys.DetachFromDisposeScope(), values.DetachFromDisposeScope());
        return _layers[layer]!.Value;
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
    }
}
