using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AlignLab.Training.Optimization;

/// <summary>fp32 master copies of a bf16 module's trainable parameters (precision bf16-mixed). The module computes in
/// bf16; after each backward pass its gradients are added to the masters' in fp32 (<see cref="Accumulate"/>), the
/// optimizer updates the masters, and the module's weights are the masters rounded to bf16 (<see cref="CopyToModel"/>).
/// An update far below bf16's resolution is kept in the master until the sum of them shows in the module.</summary>
public sealed class MasterWeights : IDisposable
{
    private readonly (string Name, Parameter Model, Parameter Master)[] _pairs;

    public MasterWeights(nn.Module module)
    {
        using var noGrad = no_grad();
        _pairs = [.. module.named_parameters().Where(p => p.parameter.requires_grad)
            .Select(p => (p.name, p.parameter, new Parameter(p.parameter.detach().to(ScalarType.Float32).clone(), requires_grad: true)))];
        Parameters = [.. _pairs.Select(p => p.Master)];
    }

    /// <summary>The masters, in the order of the module's trainable parameters: what the optimizer trains.</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>Adds the module's gradients (from the backward passes since the last call) to the masters' in fp32 and
    /// clears the module's, so that accumulation over micro-batches happens in fp32.</summary>
    public void Accumulate()
    {
        using var noGrad = no_grad();
        foreach (var (_, model, master) in _pairs)
        {
            if (model.grad is not { } gradient) continue;
            if (master.grad is { } sum) sum.add_(gradient);
            else master.grad = (gradient.dtype == ScalarType.Float32 ? gradient.clone() : gradient.to(ScalarType.Float32)).DetachFromDisposeScope();
            gradient.zero_();
        }
    }

    /// <summary>The module's weights become the masters, rounded to the module's dtype.</summary>
    public void CopyToModel()
    {
        using var noGrad = no_grad();
        foreach (var (_, model, master) in _pairs) model.copy_(master);
    }

    /// <summary>Copies each master into the parameter of its name in <paramref name="module"/> (the module after a change of
    /// dtype, e.g. to fp32 for the export).</summary>
    public void CopyTo(nn.Module module)
    {
        var masters = _pairs.ToDictionary(p => p.Name, p => p.Master);
        using var noGrad = no_grad();
        foreach (var (name, parameter) in module.named_parameters())
            if (masters.TryGetValue(name, out var master)) parameter.copy_(master);
    }

    /// <summary>The masters by the module's parameter names (for checkpoints).</summary>
    public IEnumerable<(string Name, Tensor Value)> Named => _pairs.Select(p => (p.Name, (Tensor)p.Master));

    /// <summary>Sets each master to <paramref name="read"/>'s value for its name (a checkpoint's fp32 weights), then the
    /// module's weights from them.</summary>
    public void Load(Func<string, Tensor> read)
    {
        using (no_grad())
            foreach (var (name, _, master) in _pairs)
            {
                using var value = read(name);
                master.copy_(value);
            }
        CopyToModel();
    }

    public void Dispose()
    {
        foreach (var (_, _, master) in _pairs) master.Dispose();
    }
}
