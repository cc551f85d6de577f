using AlignLab.Training.Optimization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AlignLab.Training.Tests;

/// <summary>Clipping by the total norm with the norm left on the device: by hand on two small gradients, and against
/// libtorch's own <c>clip_grad_norm_</c> on a model's gradients, clipped or not.</summary>
public class GradientClippingTests
{
    private static Parameter WithGradient(float[] values)
    {
        var parameter = new Parameter(zeros(values.Length));
        (parameter * tensor(values)).sum().backward();                          // d/dp Σ p·v = v
        return parameter;
    }

    [Fact]
    public void TheGradientsAreScaledToTheBoundByTheirTotalNormWhichIsReturnedOnTheDevice()
    {
        using var scope = NewDisposeScope();
        // Gradients (3, 4) and (12): total norm √(9 + 16 + 144) = 13. A bound of 6.5 halves them (6.5 / (13 + 1e-6)).
        var (a, b) = (WithGradient([3, 4]), WithGradient([12]));
        var frozen = new Parameter(ones(2));                                   // no gradient: left out, not an error
        var norm = GradientClipping.ClipByTotalNorm([a, frozen, b], 6.5);
        Assert.Equal(13f, norm.item<float>(), 5);
        Assert.Equal(ScalarType.Float32, norm.dtype);
        Assert.Equal(a.device.type, norm.device.type);
        var half = 6.5 / (13 + 1e-6);
        Assert.Equal(new[] { 3 * half, 4 * half }, a.grad!.data<float>().Select(v => (double)v), new Tolerance(1e-6));
        Assert.Equal(12 * half, b.grad!.data<float>()[0], 5);

        // Under the bound, or with none (0 or infinite), the gradients stay as they are and the norm is measured.
        foreach (var bound in new[] { 100.0, 0.0, double.PositiveInfinity })
        {
            var c = WithGradient([3, 4]);
            Assert.Equal(5f, GradientClipping.ClipByTotalNorm([c], bound).item<float>(), 5);
            Assert.Equal(new float[] { 3, 4 }, c.grad!.data<float>().ToArray());
        }
        Assert.Equal(0f, GradientClipping.ClipByTotalNorm([frozen], 1.0).item<float>());
    }

    [Theory]
    [InlineData(0.05)]    // clips: the gradients' norm is far above
    [InlineData(1e6)]     // does not clip
    public void OnAModelsGradientsItGivesLibtorchsNormAndClippedGradients(double maxNorm)
    {
        using var scope = NewDisposeScope();
        Parameter[] Gradients(int seed)
        {
            manual_seed(seed);
            var model = nn.Sequential(nn.Linear(16, 32), nn.GELU(), nn.Linear(32, 8));
            manual_seed(7);
            model.forward(randn(5, 16)).pow(2).sum().backward();
            return [.. model.parameters()];
        }
        var ours = Gradients(1);
        var theirs = Gradients(1);
        var norm = GradientClipping.ClipByTotalNorm(ours, maxNorm).item<float>();
        var expected = nn.utils.clip_grad_norm_(theirs, maxNorm);
        Assert.Equal(expected, norm, expected * 1e-6);
        for (int i = 0; i < ours.Length; i++)
            Assert.True(ours[i].grad!.allclose(theirs[i].grad!, rtol: 1e-6, atol: 1e-9), $"parameter {i}");
        if (maxNorm < 1) Assert.True(expected > 10 * maxNorm, $"norm {expected}: the case does not clip");
    }
}
