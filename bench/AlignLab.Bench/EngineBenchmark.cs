using System.Diagnostics;
using AlignLab.Training.Demo;
using AlignLab.Training.Inference;
using AlignLab.Training.Models.Gpt2;
using AlignLab.Training.Optimization;
using AlignLab.Training.Runtime;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace AlignLab.Bench;

/// <summary>The training engine in one run: a matmul peak (the MFU denominator), forward+backward+AdamW tokens/s
/// of a GPT-2 shape, and KV-cache generation tokens/s. Arguments: [cpu|cuda] [demo|gpt2-small]; the demo shape
/// trains on 16×128 tokens, GPT-2 small (124 M) on 8×512. bench/python/engine.py is the same run in PyTorch.</summary>
public static class EngineBenchmark
{
    public static Task RunAsync(string[] args)
    {
        var device = TorchDevice.Parse(args.Length > 0 ? args[0] : "cpu");
        var shape = args.Length > 1 ? args[1] : "demo";
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, threads {get_num_threads()}, {Environment.OSVersion}, .NET {Environment.Version}, device {device}");
        var measured = MatmulPeak.Measure(device);
        var peak = measured.Peak;
        Console.WriteLine(MatmulPeak.Describe(measured));

        random.manual_seed(0);
        var config = shape switch
        {
            "demo" => DemoModel.Config(vocabularySize: 1024),
            "gpt2-small" => new Gpt2Config { resid_pdrop = 0, embd_pdrop = 0, attn_pdrop = 0 },
            _ => throw new ArgumentException($"shape '{shape}' is not one of demo, gpt2-small"),
        };
        using var model = new Gpt2LMHeadModel(config);
        model.to(device);
        var parameters = model.parameters().Sum(p => p.numel());
        Console.WriteLine($"model: GPT-2 n_embd {config.n_embd}, n_layer {config.n_layer}, vocab {config.vocab_size}, {parameters / 1e6:0.00} M parameters");

        var (batch, length) = shape == "demo" ? (16, 128) : (8, 512);
        model.train();
        var optimizer = optim.AdamW(model.parameters(), 1e-4);
        var ids = randint(0, config.vocab_size, [batch, length], device: device);
        // The step with TorchSharp's AdamW, and with libtorch's fused AdamW kernel (the methods' default, fused_adamw),
        // alternately on the same model.
        double Step(bool fused)
        {
            using var scope = NewDisposeScope();
            MatmulPeak.Synchronize(device);
            var clock = Stopwatch.StartNew();
            optimizer.zero_grad();
            var logits = model.Forward(ids);
            var loss = F.cross_entropy(logits.narrow(1, 0, length - 1).reshape(-1, config.vocab_size), ids.narrow(1, 1, length - 1).reshape(-1));
            loss.backward();
            if (!(fused && FusedAdamW.TryStep(optimizer))) optimizer.step();
            MatmulPeak.Synchronize(device);
            return clock.Elapsed.TotalSeconds;
        }
        for (int i = 0; i < 3; i++) { Step(false); Step(true); }
        var rounds = Enumerable.Range(0, 10).Select(_ => (Loop: Step(false), Fused: Step(true))).ToList();
        var tokens = batch * length;
        // Training FLOPs per token: 6·N for the weights (forward 2N, backward 4N) plus attention scores and values,
        // 6 · 2 · n_layer · T · n_embd (PaLM appendix B's accounting).
        var flopsPerToken = 6.0 * parameters + 12.0 * config.n_layer * length * config.n_embd;
        foreach (var (name, seconds) in new[] { ("AdamW", rounds.Select(r => r.Loop)), ("fused AdamW kernel", rounds.Select(r => r.Fused)) })
        {
            var sorted = seconds.Order().ToList();
            var median = sorted[sorted.Count / 2];
            var trainRate = tokens / median;
            Console.WriteLine($"forward+backward+{name}, batch {batch}×{length}: {trainRate:N0} tokens/s (median of 10 steps, {median * 1000:0} ms/step), " +
                              $"{trainRate * flopsPerToken / 1e9:0.0} GFLOP/s, MFU {trainRate * flopsPerToken / peak:P1}");
        }

        model.eval();
        var prompts = Enumerable.Range(0, 8).Select(i => Enumerable.Range(1 + i, 16).ToArray()).ToList();
        var options = new GenerationOptions { MaxNewTokens = 64, Temperature = 0, EosTokenId = -1 };
        TextGenerator.Generate(model, prompts, options with { MaxNewTokens = 4 });
        MatmulPeak.Synchronize(device);
        var generation = Stopwatch.StartNew();
        var generated = TextGenerator.Generate(model, prompts, options).Sum(s => s.Tokens.Length);
        Console.WriteLine($"generation, batch 8, 16-token prompts, 64 new tokens, KV cache, greedy: {generated / generation.Elapsed.TotalSeconds:N0} tokens/s");
        return Task.CompletedTask;
    }
}
