using AlignLab.Training.Inference;
using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace AlignLab.Bench;

/// <summary>What one operation of a demo-model decode step costs (16 rows of 128 values, the shapes of PPO's rollout batch
/// on the demo model), with gradients off (no_grad) and in inference mode, alternately: the fixed cost per operation that
/// bounds a CPU decode step (method-throughput.md). Arguments: [repeats per operation (20000)].</summary>
public static class OpCostsBenchmark
{
    public static Task RunAsync(string[] args)
    {
        var repeats = args.Length > 0 ? int.Parse(args[0]) : 20_000;
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, torch threads {get_num_threads()}, {Environment.OSVersion}, .NET {Environment.Version}");
        using var x = randn(16, 1, 128);
        using var rows = x.reshape(16, 128);
        using var weight = randn(128, 384);
        using var bias = randn(384);
        using var gain = ones(128);
        using var shift = zeros(128);
        using var query = randn(16, 4, 1, 32);
        using var keys = randn(16, 4, 100, 32);
        using var mask = zeros(16, 1, 1, 100);
        using var logits = randn(16, 640);
        using var draws = new torch.Generator(seed: 7);
        var operations = new (string Name, Func<Tensor> Run)[]
        {
            ("add (16 × 128)", () => x + x),
            ("view", () => x.view(16, 128)),
            ("transpose", () => x.transpose(0, 1)),
            ("narrow", () => x.narrow(2, 0, 64)),
            ("layer_norm (16 × 128)", () => F.layer_norm(x, [128], gain, shift)),
            ("addmm (16 × 128 · 128 × 384)", () => addmm(bias, rows, weight, 1, 1)),
            ("attention of 1 query over 100 keys (16 rows × 4 heads × 32), SDPA with a padding bias", () => F.scaled_dot_product_attention(query, keys, keys, mask)),
            ("the same, SDPA without a bias", () => F.scaled_dot_product_attention(query, keys, keys)),
            ("the same by matmul, softmax, matmul", () => F.softmax(query.matmul(keys.transpose(2, 3)).mul_(1.0 / Math.Sqrt(32)).add_(mask), -1).matmul(keys)),
            ("seeded draw of one token per row (16 × 640 logits): softmax, multinomial", () => multinomial(F.softmax(logits, -1), 1, generator: draws)),
            ("the same by one uniform per row against the cumulative probabilities (TextGenerator.Draw)",
                () => TextGenerator.Draw(F.softmax(logits, -1), rand([16, 1], generator: draws))),
        };
        Console.WriteLine($"µs per operation, median of 5 alternating rounds of {repeats}:");
        foreach (var (name, run) in operations)
        {
            var times = new Dictionary<string, List<double>> { ["no_grad"] = [], ["inference mode"] = [] };
            for (int round = 0; round < 6; round++)
                foreach (var mode in round % 2 == 0 ? times.Keys : times.Keys.Reverse())
                {
                    using IDisposable guard = mode == "no_grad" ? no_grad() : inference_mode();
                    var clock = Stopwatch.StartNew();
                    for (int i = 0; i < repeats; i++)
                    {
                        using var scope = NewDisposeScope();
                        run();
                    }
                    if (round > 0) times[mode].Add(clock.Elapsed.TotalMicroseconds / repeats);
                }
            double Median(List<double> v) => v.Order().ElementAt(v.Count / 2);
            Console.WriteLine($"  {name}: no_grad {Median(times["no_grad"]):0.0}, inference mode {Median(times["inference mode"]):0.0}");
        }
        return Task.CompletedTask;
    }
}
