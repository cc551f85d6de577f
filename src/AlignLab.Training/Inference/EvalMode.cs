using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Training.Inference;

/// <summary>A module in eval mode (no dropout) with gradients off, for as long as this lives; disposing restores the
/// module's mode, training or not. Every evaluation, generation and preview runs inside one:
/// <c>using var evaluating = EvalMode.Enter(model);</c></summary>
public sealed class EvalMode : IDisposable
{
    private readonly nn.Module _module;
    private readonly bool _wasTraining;
    private readonly IDisposable _noGrad;

    private EvalMode(nn.Module module)
    {
        _module = module;
        _wasTraining = module.training;
        module.eval();
        _noGrad = no_grad();
    }

    public static EvalMode Enter(nn.Module module) => new(module);

    public void Dispose()
    {
        _noGrad.Dispose();
        _module.train(_wasTraining);
    }
}
