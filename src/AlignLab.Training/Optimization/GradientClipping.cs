using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AlignLab.Training.Optimization;

/// <summary>Gradient clipping by the total L2 norm, as <c>torch.nn.utils.clip_grad_norm_</c> computes it (the norm of the
/// parameters' gradient norms; every gradient times min(1, max_norm / (norm + 1e-6))), with the norm left on the device.
/// libtorch's C++ version returns it as a double, which waits for the device at every optimizer step; a PPO step makes
/// one per minibatch and reads their norms once, after its epochs.</summary>
public static class GradientClipping
{
    /// <summary>Scales the gradients of <paramref name="parameters"/> in place so that their total norm is at most
    /// <paramref name="maxNorm"/> (not at all when it is infinite, 0 or less: then the norm is only measured).</summary>
    /// <returns>The total norm before clipping, a float scalar on the parameters' device (0 when no parameter has a
    /// gradient).</returns>
    public static Tensor ClipByTotalNorm(IReadOnlyList<Parameter> parameters, double maxNorm)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var gradients = parameters.Select(p => p.grad).OfType<Tensor>().ToList();
        if (gradients.Count == 0) return tensor(0f, device: parameters.Count > 0 ? parameters[0].device : CPU).MoveToOuterDisposeScope();
        var total = stack(gradients.Select(g => g.norm()).ToArray()).norm();
        if (maxNorm > 0 && double.IsFinite(maxNorm))
        {
            var coefficient = (total + 1e-6).reciprocal().mul(maxNorm).clamp_max(1.0);
            foreach (var gradient in gradients) gradient.mul_(coefficient);
        }
        return total.to(ScalarType.Float32).MoveToOuterDisposeScope();
    }
}
