using AlignLab.Training.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Training.Tests;

public class TorchSharpRuntimeTests
{
    [Fact]
    public void ForwardAndBackwardOfATinyNetworkGiveTheAnalyticGradient()
    {
        using var scope = NewDisposeScope();
        // y = sum((W x)^2) with W = [[1, 2], [3, 4]], x = [1, -1]: W x = [-1, -1], y = 2,
        // dy/dW = 2 (W x) x^T = [[-2, 2], [-2, 2]].
        var w = tensor(new float[] { 1, 2, 3, 4 }, 2, 2).requires_grad_();
        var x = tensor(new float[] { 1, -1 }, 2, 1);
        var y = matmul(w, x).pow(2).sum();
        y.backward();

        Assert.Equal(2f, y.item<float>());
        Assert.Equal(new float[] { -2, 2, -2, 2 }, w.grad!.data<float>().ToArray());
    }

    [Fact]
    public void AnOptimizerStepLowersTheLossOfALinearLayer()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(7);
        var layer = nn.Linear(4, 1);
        var optimizer = optim.SGD(layer.parameters(), 0.1);
        var inputs = randn(16, 4);
        var targets = inputs.sum(1, keepdim: true);

        float Loss() => nn.functional.mse_loss(layer.forward(inputs), targets).item<float>();
        var before = Loss();
        for (int step = 0; step < 20; step++)
        {
            using var stepScope = NewDisposeScope();
            optimizer.zero_grad();
            nn.functional.mse_loss(layer.forward(inputs), targets).backward();
            optimizer.step();
        }
        Assert.True(Loss() < before / 4, $"loss {Loss()} did not fall from {before}");
    }

    [Theory]
    [InlineData("cpu")]
    [InlineData("CPU")]
    [InlineData("")]
    public void CpuDeviceNamesParse(string name) => Assert.Equal(DeviceType.CPU, TorchDevice.Parse(name).type);

    [Theory]
    [InlineData("tpu")]
    [InlineData("cuda:x")]
    public void UnknownDeviceNamesAreRejected(string name)
    {
        if (name.StartsWith("cuda") && !cuda.is_available())
            Assert.Throws<InvalidOperationException>(() => TorchDevice.Parse(name));
        else
            Assert.ThrowsAny<ArgumentException>(() => TorchDevice.Parse(name));
    }
}
