using AlignLab.Training.Methods.Sft;
using AlignLab.Training.Models;
using AlignLab.Training.Optimization;
using AlignLab.Training.Registry;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AlignLab.Training.Tests;

/// <summary>libtorch's fused AdamW kernel on TorchSharp's AdamW state: by hand on two values, against TorchSharp's own step
/// on a model (two groups, decay on matrices only), its refusals, which change nothing, and a run's fused_adamw.</summary>
public class FusedAdamWTests
{
    private static Parameter WithGradient(float[] values, float[] gradient)
    {
        var parameter = new Parameter(tensor(values));
        (parameter * tensor(gradient)).sum().backward();                        // d/dp Σ p·g = g
        return parameter;
    }

    [Fact]
    public void TwoStepsOnTwoValuesAreAdamWsAsWorkedByHand()
    {
        Assert.True(FusedAdamW.Available, "the loaded libtorch exports torch._fused_adamw_");
        using var scope = NewDisposeScope();
        var parameter = WithGradient([1.0f, -2.0f], [0.5f, -4.0f]);
        const double lr = 0.1, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, decay = 0.01;
        var optimizer = optim.AdamW([parameter], lr, beta1, beta2, eps, decay);
        Assert.True(FusedAdamW.TryStep(optimizer));
        Assert.True(FusedAdamW.TryStep(optimizer));                               // the same gradient again

        // AdamW in double: p ← p·(1 − lr·wd); m ← β1·m + (1 − β1)·g; v ← β2·v + (1 − β2)·g²;
        // p ← p − lr / (1 − β1^t) · m / (√v / √(1 − β2^t) + ε).
        double[] p = [1.0, -2.0], g = [0.5, -4.0], m = [0, 0], v = [0, 0];
        for (int t = 1; t <= 2; t++)
            for (int i = 0; i < 2; i++)
            {
                p[i] *= 1 - lr * decay;
                m[i] = beta1 * m[i] + (1 - beta1) * g[i];
                v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
                p[i] -= lr / (1 - Math.Pow(beta1, t)) * m[i] / (Math.Sqrt(v[i]) / Math.Sqrt(1 - Math.Pow(beta2, t)) + eps);
            }
        // Each step moves a value by about lr (Adam's normalised update): both values are 0.2 from where they began, less the decay.
        Assert.Equal(p, parameter.data<float>().Select(x => (double)x), new Tolerance(1e-6));
        var state = (AdamW.State)optimizer.state_dict().State[0];
        Assert.Equal(2, state.step);
        Assert.Equal(m, state.exp_avg.data<float>().Select(x => (double)x), new Tolerance(1e-6));
        Assert.Equal(v, state.exp_avg_sq.data<float>().Select(x => (double)x), new Tolerance(1e-6));
    }

    [Fact]
    public void OnAModelItStepsAsTorchSharpsAdamWDoesAndSkipsAParameterWithoutGradient()
    {
        using var scope = NewDisposeScope();
        (nn.Module Model, AdamW Optimizer) Fresh()
        {
            manual_seed(3);
            var model = nn.Sequential(nn.Linear(16, 32), nn.GELU(), nn.Linear(32, 8), nn.Linear(8, 8));
            return (model, AdamWFactory.Create(model, 1e-2, 0.1));              // decay on matrices, none on biases
        }
        void Gradients(nn.Module model, int round)
        {
            manual_seed(100 + round);
            var layers = model.children().Cast<nn.Module<Tensor, Tensor>>().ToList();
            // The last layer takes no part: no gradient, so neither optimizer moves it nor counts a step for it.
            layers[2].forward(layers[1].forward(layers[0].forward(randn(5, 16)))).pow(2).sum().backward();
        }
        var (ours, fused) = Fresh();
        var (theirs, reference) = Fresh();
        for (int round = 0; round < 3; round++)
        {
            Gradients(ours, round);
            Gradients(theirs, round);
            // A schedule's learning rate, set on the groups before each step, as TrainingSession.BeginStep does.
            AdamWFactory.SetLearningRate(fused, 1e-2 / (round + 1));
            AdamWFactory.SetLearningRate(reference, 1e-2 / (round + 1));
            Assert.True(FusedAdamW.TryStep(fused));
            reference.step();
            fused.zero_grad();
            reference.zero_grad();
        }
        foreach (var (a, b) in ours.parameters().Zip(theirs.parameters()))
            Assert.True(a.allclose(b, rtol: 0, atol: 1e-6), $"largest difference {(a - b).abs().max().item<float>():E1}");
        var initial = Fresh().Model;
        Assert.False(ours.parameters().First().allclose(initial.parameters().First(), rtol: 0, atol: 1e-3), "the first layer trained");
        foreach (var (a, b) in ours.children().Last().parameters().Zip(initial.children().Last().parameters()))
            Assert.True(a.equal(b).all().item<bool>(), "the layer without gradients stays as it was");
        var steps = fused.state_dict().State.Cast<AdamW.State>().Select(s => s.step).ToList();
        Assert.Equal(reference.state_dict().State.Cast<AdamW.State>().Select(s => s.step), steps);
        Assert.Contains(3L, steps);
        Assert.Contains(0L, steps);
    }

    [Fact]
    public void WhereTheKernelCannotRunItChangesNothingAndSaysSo()
    {
        using var scope = NewDisposeScope();
        // amsgrad: the kernel here does not take it.
        var parameter = WithGradient([1.0f, 2.0f], [0.5f, 0.5f]);
        var amsgrad = optim.AdamW([parameter], 0.1, amsgrad: true);
        Assert.False(FusedAdamW.TryStep(amsgrad));
        Assert.Equal(new float[] { 1, 2 }, parameter.data<float>().ToArray());
        Assert.Equal(0, ((AdamW.State)amsgrad.state_dict().State[0]).step);

        // A gradient whose values are not laid out as its parameter's (the kernel walks both as one flat array).
        var matrix = new Parameter(tensor(new[] { 1.0f, 2.0f, 3.0f, 4.0f }, [2, 2]));
        matrix.grad = tensor(new[] { 0.1f, 0.2f, 0.3f, 0.4f }, [2, 2]).t();
        Assert.False(matrix.grad!.is_contiguous());
        var strided = optim.AdamW([matrix], 0.1);
        Assert.False(FusedAdamW.TryStep(strided));
        Assert.Equal(new float[] { 1, 2, 3, 4 }, matrix.data<float>().ToArray());
        Assert.Equal(0, ((AdamW.State)strided.state_dict().State[0]).step);
        // Parameters of two dtypes in one step (a GPU kernel call reads all of them as the first one's type).
        var single = WithGradient([1.0f], [0.5f]);
        var wide = new Parameter(tensor(new[] { 2.0 }));
        (wide * 0.5).sum().backward();
        var mixed = optim.AdamW([single, wide], 0.1);
        Assert.False(FusedAdamW.TryStep(mixed));
        Assert.Equal(new[] { 1.0f }, single.data<float>().ToArray());
        Assert.Equal(new[] { 2.0 }, wide.data<double>().ToArray());
        Assert.All(mixed.state_dict().State.Cast<AdamW.State>(), s => Assert.Equal(0, s.step));

        // TorchSharp's step takes such a gradient as it is.
        strided.step();
        Assert.Equal(1, ((AdamW.State)strided.state_dict().State[0]).step);
    }

    [Fact]
    public async Task ARunTrainsTheSameWithAndWithoutTheFusedKernelUpToRounding()
    {
        var registry = new ModelRegistry([TinyModels.DemoRoot()]);
        var runs = new[] { true, false }.Select(fused => new MethodContext(new SftMethod(registry),
            $$"""{"batch_size":4,"max_length":96,"eval_fraction":0.05,"eval_every":0,"learning_rate":0.002,"max_steps":4,"checkpoint_every":0,"fused_adamw":{{(fused ? "true" : "false")}}}""")).ToList();
        foreach (var run in runs) await new SftMethod(registry).RunAsync(run);

        var (fused, loop) = (runs[0].Series("loss").ToArray(), runs[1].Series("loss").ToArray());
        Assert.Equal(loop.Length, fused.Length);
        for (int i = 0; i < loop.Length; i++) Assert.True(Math.Abs(fused[i] - loop[i]) <= 1e-4, $"loss at step {i + 1}: {fused[i]} vs {loop[i]}");
        using var a = ModelFolder.Load(Path.Combine(runs[0].ArtifactDirectory, "export"));
        using var b = ModelFolder.Load(Path.Combine(runs[1].ArtifactDirectory, "export"));
        var differences = a.parameters().Zip(b.parameters(), (x, y) => (x - y).abs().max().item<float>()).ToList();
        Assert.True(differences.Max() < 1e-4, $"largest difference {differences.Max():E1}");
        // Not bit for bit: the kernel rounds its one expression otherwise than TorchSharp's eight operations, so the fused path did run.
        Assert.True(differences.Max() > 0, "the runs took the same path");
    }
}
