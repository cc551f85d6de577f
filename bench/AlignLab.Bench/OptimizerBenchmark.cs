using System.Diagnostics;
using AlignLab.Training.Demo;
using AlignLab.Training.Models;
using AlignLab.Training.Optimization;
using AlignLab.Training.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Bench;

/// <summary>The optimizer step every method makes (gradient clipping, then AdamW with decay on matrices only) as TorchSharp
/// does it, a few kernels per parameter, against the same update over one flat buffer of all parameters (the parameters
/// become views of it), a handful of kernels in all. First checks that both give the same parameters after three steps.
/// Arguments: [device (cpu)] [demo | gpt2-small].</summary>
public static class OptimizerBenchmark
{
    public static Task RunAsync(string[] args)
    {
        var device = TorchDevice.Parse(args.Length > 0 ? args[0] : "cpu");
        var root = Directory.CreateTempSubdirectory("alignlab-opt-").FullName;
        var folder = BenchShapes.Prepare(root, args.Length > 1 ? args[1] : "demo");
        var ids = randint(0, 500, [4, 64], device: device);
        // A copy of the model with the same gradients, for each way of stepping.
        CausalLM WithGradients()
        {
            var model = ModelFolder.Load(folder);
            model.to(device).to(ScalarType.Float32);
            using var s = NewDisposeScope();
            model.Forward(ids).mean().backward();
            return model;
        }
        using var a = WithGradients();
        using var b = WithGradients();
        var torchAdam = AdamWFactory.Create(a, 1e-3, 0.01);
        var pa = a.parameters().ToList();
        var flat = new FlatAdamWPrototype(b.named_parameters().Select(p => (Tensor)p.parameter).ToList(), 1e-3, 0.01);
        for (int i = 0; i < 3; i++)
        {
            GradientClipping.ClipByTotalNorm(pa, 1.0).Dispose();
            torchAdam.step();
            flat.Step(1e-3, 1.0);
        }
        var difference = a.parameters().Zip(b.parameters(), (x, y) => (x - y).abs().max().item<float>()).Max();
        Console.WriteLine($"{pa.Count} parameter tensors, {pa.Sum(p => p.numel()) / 1e6:0.00} M values; largest difference after 3 steps: {difference:E1}");
        // libtorch's fused kernel on a third copy, from the same model and gradients: the same parameters up to rounding.
        using var c = WithGradients();
        var fusedAdam = AdamWFactory.Create(c, 1e-3, 0.01);
        var pc = c.parameters().ToList();
        for (int i = 0; i < 3; i++)
        {
            GradientClipping.ClipByTotalNorm(pc, 1.0).Dispose();
            if (!FusedAdamW.TryStep(fusedAdam))
            {
                Console.WriteLine("libtorch's fused AdamW kernel did not run (absent from this libtorch, or a condition of it unmet)");
                return Task.CompletedTask;
            }
        }
        var fusedDifference = a.parameters().Zip(c.parameters(), (x, y) => (x - y).abs().max().item<float>()).Max();
        Console.WriteLine($"fused kernel (torch._fused_adamw_): largest difference from TorchSharp's AdamW after 3 steps: {fusedDifference:E1}");
        // Alternately, so that all see the same machine; medians of 30 after 5 warm-up rounds.
        var (perParameter, flatBuffer, fused) = (new List<double>(), new List<double>(), new List<double>());
        for (int r = 0; r < 35; r++)
        {
            var clock = Stopwatch.StartNew();
            using (NewDisposeScope()) { GradientClipping.ClipByTotalNorm(pa, 1.0); torchAdam.step(); _ = pa[0].sum().item<float>(); }
            var first = clock.Elapsed.TotalMilliseconds;
            clock.Restart();
            using (NewDisposeScope()) flat.Step(1e-3, 1.0);
            var second = clock.Elapsed.TotalMilliseconds;
            clock.Restart();
            using (NewDisposeScope()) { GradientClipping.ClipByTotalNorm(pc, 1.0); FusedAdamW.TryStep(fusedAdam); _ = pc[0].sum().item<float>(); }
            var third = clock.Elapsed.TotalMilliseconds;
            if (r < 5) continue;
            perParameter.Add(first);
            flatBuffer.Add(second);
            fused.Add(third);
        }
        double Median(List<double> v) => v.Order().ElementAt(v.Count / 2);
        Console.WriteLine($"clip + AdamW per parameter: {Median(perParameter):0.00} ms; over one flat buffer: {Median(flatBuffer):0.00} ms " +
                          $"(ratio {Median(perParameter) / Median(flatBuffer):0.00}×); clip + fused kernel: {Median(fused):0.00} ms " +
                          $"(ratio {Median(perParameter) / Median(fused):0.00}×)");
        return Task.CompletedTask;
    }

    private sealed class FlatAdamWPrototype
    {
        private readonly List<Tensor> _params;
        private readonly Tensor _flat, _m, _v;
        private readonly long _decayCount;
        private readonly double _wd;
        private int _t;

        public FlatAdamWPrototype(List<Tensor> parameters, double lr, double wd)
        {
            _wd = wd;
            _params = [.. parameters.Where(p => p.dim() >= 2), .. parameters.Where(p => p.dim() < 2)];
            _decayCount = _params.Where(p => p.dim() >= 2).Sum(p => p.numel());
            var total = _params.Sum(p => p.numel());
            var device = _params[0].device;
            _flat = empty(total, device: device);
            _m = zeros(total, device: device);
            _v = zeros(total, device: device);
            using var _ = no_grad();
            long offset = 0;
            foreach (var p in _params)
            {
                var view = _flat.narrow(0, offset, p.numel()).view(p.shape);
                view.copy_(p);
                p.set_(view);
                offset += p.numel();
            }
        }

        public double Step(double lr, double maxNorm)
        {
            using var _ = no_grad();
            _t++;
            var g = cat(_params.Select(p => p.grad!.flatten()).ToList(), 0);
            var norm = g.norm();
            g.mul_((maxNorm / (norm + 1e-6)).clamp_max(1.0));
            _flat.narrow(0, 0, _decayCount).mul_(1 - lr * _wd);
            _m.mul_(0.9).add_(g, alpha: 0.1);
            _v.mul_(0.999).addcmul_(g, g, value: 0.001);
            var bc1 = 1 - Math.Pow(0.9, _t);
            var bc2 = 1 - Math.Pow(0.999, _t);
            var denom = (_v.sqrt() / Math.Sqrt(bc2)).add_(1e-8);
            _flat.addcdiv_(_m, denom, value: -lr / bc1);
            return norm.item<float>();
        }
    }
}
