using System.Diagnostics;
using System.Text.Json.Nodes;
using AlignLab.Core.Methods;
using AlignLab.Core.Runs;
using AlignLab.Training.Demo;
using AlignLab.Training.Inference;
using AlignLab.Training.Methods.Figa;
using AlignLab.Training.Methods.Ppo;
using AlignLab.Training.Models;
using AlignLab.Training.Models.Gpt2;
using AlignLab.Training.Registry;
using AlignLab.Training.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Bench;

/// <summary>Throughput of the real methods, with MFU against a matmul peak measured in the same run in the runs' dtype:
/// FIGA training steps (its defaults: 16 micro-batches of 8 pairs, 256 sequences per step; then 2 and 4 micro-batches per
/// pass) and PPO steps (its defaults,
/// keyword reward: 16 rollouts of up to 300 tokens, 2 epochs of minibatches of 4) split into rollout and update, then side
/// by side: a training pass padded and unpadded, the rollout's old and new generation paths, PPO's update passes padded
/// and unpadded.
/// Arguments: [device (cpu)] [measured steps (10)] [shape (demo), one of <see cref="BenchShapes.Names"/>]
/// [precision (auto: the methods' default, bf16-mixed on CUDA and fp32 on the CPU), fp32, bf16 or bf16-mixed].
/// Two warm-up steps of each method are not counted.</summary>
public static class MethodThroughputBenchmark
{
    private const int WarmUp = 2;

    public static async Task RunAsync(string[] args)
    {
        var device = args.Length > 0 ? args[0] : "cpu";
        var steps = args.Length > 1 ? int.Parse(args[1]) : 10;
        var shape = args.Length > 2 ? args[2] : "demo";
        var precision = args.Length > 3 ? args[3] : "auto";
        var torchDevice = TorchDevice.Parse(device);
        var dtype = Core.Training.Precision.ComputesInBf16(Core.Training.Precision.Resolve(precision, device)) ? ScalarType.BFloat16 : ScalarType.Float32;
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, torch threads {get_num_threads()}, {Environment.OSVersion}, .NET {Environment.Version}, " +
                          $"device {device}, precision {precision} ({dtype})");
        var measured = MatmulPeak.Measure(torchDevice, dtype);
        var peak = measured.Peak;
        Console.WriteLine(MatmulPeak.Describe(measured, dtype));

        var root = Directory.CreateTempSubdirectory("alignlab-throughput-").FullName;
        var folder = BenchShapes.Prepare(root, shape);
        long parameters;
        using (var model = ModelFolder.Load(folder)) parameters = model.parameters().Sum(p => p.numel());
        // FLOPs per token through the weights: 2·N forward, 6·N forward + backward. The attention term (12·L·T·d for
        // training) is left out: under 7 % at the demo data's lengths, so the MFU figures are lower bounds.
        Console.WriteLine($"model: {shape}, {parameters / 1e6:0.00} M parameters; FLOPs per token 2·N forward, 6·N training");

        var registry = new ModelRegistry([root]);
        var figa = new FigaMethod(registry);
        var ppo = new PpoMethod(registry);
        var validator = new RunRequestValidator(new MethodCatalog([figa, ppo]));
        RunSpec Spec(string method, string extra) => validator.Validate(JsonNode.Parse(
            $$$"""{"method":"{{{method}}}","parameters":{"model":"{{{Path.GetFileName(folder)}}}","device":"{{{device}}}","precision":"{{{precision}}}","max_steps":{{{steps + WarmUp}}},"checkpoint_every":0{{{extra}}}}}""")).Spec!;

        var figaRun = new StepClock();
        await figa.RunAsync(new BenchRunContext(Spec("figa", ",\"eval_every\":0"), Path.Combine(root, "figa"), figaRun.Report));
        var figaRate = figaRun.Median("tokens_per_s");
        // MFU counts the tokens the passes computed: a prefix that rows share (a pair's prompt, the template's opening) once.
        string Mfu(double rate, StepClock run, double flopsPerToken) =>
            $"MFU {rate * (1 - run.Median("shared_token_fraction")) * flopsPerToken / peak:P1} of the tokens computed " +
            $"({run.Median("shared_token_fraction"):P0} of the real tokens shared a prefix; {rate * flopsPerToken / peak:P1} counting every real token)";
        Console.WriteLine($"FIGA step (16 × 8 pairs = 256 sequences, forward + backward + AdamW): {figaRate:N0} real tokens/s, " +
                          $"{figaRun.MedianStepSeconds:0.00} s/step, {Mfu(figaRate, figaRun, 6 * parameters)}");

        // The same steps with several micro-batches per forward and backward pass (the same gradient: FigaLoss).
        foreach (var perPass in new[] { 2, 4 })
        {
            var run = new StepClock();
            await figa.RunAsync(new BenchRunContext(Spec("figa", $",\"eval_every\":0,\"micro_batches_per_pass\":{perPass}"), Path.Combine(root, $"figa-{perPass}"), run.Report));
            var rate = run.Median("tokens_per_s");
            Console.WriteLine($"FIGA step, {perPass} micro-batches per pass: {rate:N0} real tokens/s, {run.MedianStepSeconds:0.00} s/step, {Mfu(rate, run, 6 * parameters)}, " +
                              $"{rate / figaRate:0.00}× one per pass");
        }

        var ppoRun = new StepClock();
        var ppoSpec = Spec("ppo", ",\"reward\":\"keyword\",\"keyword\":\"Tokyo\"");
        await ppo.RunAsync(new BenchRunContext(ppoSpec, Path.Combine(root, "ppo"), ppoRun.Report));
        long Ppo(string name) => ppoSpec.Parameters[name]!.GetValue<long>();
        var (rollouts, newTokens, epochs, miniBatch) = (Ppo("batch_size"), Ppo("max_new_tokens"), Ppo("ppo_epochs"), Ppo("mini_batch_size"));
        var generation = ppoRun.Median("rollout_tokens_per_s");
        var update = ppoRun.Median("train_tokens_per_s");
        var responseTokens = ppoRun.Median("response_length") * rollouts;
        Console.WriteLine($"PPO rollout ({rollouts} sampled responses of ≤ {newTokens} tokens, KV cache): {generation:N0} generated tokens/s, " +
                          $"{generation * 2 * parameters / 1e9:0.0} GFLOP/s, MFU {generation * 2 * parameters / peak:P1}");
        Console.WriteLine($"PPO update ({epochs} epochs × minibatches of {miniBatch}, policy + value head, forward + backward + AdamW): {update:N0} real tokens/s, " +
                          Mfu(update, ppoRun, 6 * parameters));
        Console.WriteLine($"PPO whole step (rollout, scoring by policy and reference, update): {ppoRun.MedianStepSeconds:0.00} s/step, " +
                          $"{responseTokens / ppoRun.MedianStepSeconds:N0} generated tokens/s ({responseTokens:0} per step)");
        // The same PPO steps with TorchSharp's per-parameter AdamW (PPO makes an optimizer update per minibatch).
        var unfusedRun = new StepClock();
        await ppo.RunAsync(new BenchRunContext(Spec("ppo", ",\"reward\":\"keyword\",\"keyword\":\"Tokyo\",\"fused_adamw\":false"), Path.Combine(root, "ppo-unfused"), unfusedRun.Report));
        var unfused = unfusedRun.Median("train_tokens_per_s");
        Console.WriteLine($"PPO update with TorchSharp's AdamW (fused_adamw off): {unfused:N0} real tokens/s, {Mfu(unfused, unfusedRun, 6 * parameters)}; " +
                          $"fused kernel {update / unfused:0.00}× that");
        TrainingPassUnpadded(folder, steps, torchDevice, dtype);
        RolloutPaths(folder, steps, torchDevice, dtype, (int)newTokens);
        MinibatchesUnpadded(folder, steps, torchDevice, dtype, (int)newTokens, (int)miniBatch);
    }

    /// <summary>A training pass (forward, response log-probs, backward) over 16 demo (Alpaca prompt, answer) rows, right-padded,
    /// alternately on the same model with the model's layers over the padded batch, over the real tokens alone, and over the
    /// real tokens with the prefixes rows share computed once (<see cref="Unpadding"/>; what the methods do), the output head on
    /// the response positions in each; then the same for 8 FIGA-like pairs (one prompt, two answers). Real tokens/s, medians.</summary>
    private static void TrainingPassUnpadded(string folder, int repeats, Device device, ScalarType dtype)
    {
        using var model = Load(folder, device, dtype);
        model.train();
        var tokenizer = AlignLab.Core.Tokenization.TextTokenizer.Load(folder);
        var examples = AlignLab.Core.Demo.DemoData.Generate(24, seed: 5);
        int[] Prompt(int i) => tokenizer.Encode(AlignLab.Core.Tokenization.PromptTemplate.Alpaca.Render(examples[i].Instruction, examples[i].Input));
        int[] Answer(int i) => tokenizer.Encode(examples[i].Response);
        List<(int[], int[])> rows = [.. Enumerable.Range(0, 16).Select(i => (Prompt(i), Answer(i)))];
        List<(int[], int[])> pairs = [.. Enumerable.Range(0, 8).SelectMany(i => new[] { (Prompt(i), Answer(i)), (Prompt(i), Answer(i + 16)) })];
        foreach (var (name, batchRows) in new[] { ("16 demo rows", rows), ("8 demo pairs (one prompt, two answers)", pairs) })
        {
            using var scope = NewDisposeScope();
            var batch = AlignLab.Training.Batching.ResponseBatch.Pad(batchRows, tokenizer.PadTokenId, device);
            var shared = batch.Unpadded();
            double Pass(Unpadding? layout)
            {
                using (var pass = NewDisposeScope())
                {
                    var hidden = model.Hidden(batch.InputIds, unpadded: layout);
                    var tokens = TokenLogProbs.OfResponses(hidden, model.Logits, batch.InputIds, batch.ResponseMask, shared, withEntropy: false);
                    (tokens.Nll.sum() / tokens.Mask.sum()).backward();
                }
                model.zero_grad();
                return batch.Tokens;
            }
            var (padded, unpadded) = Alternately(repeats, device, _ => Pass(null), _ => Pass(shared.Unshared));
            var (alone, sharing) = Alternately(repeats, device, _ => Pass(shared.Unshared), _ => Pass(shared));
            Console.WriteLine($"Training pass over {name} ({batch.Tokens} real tokens of {batch.InputIds.numel()}, {shared.Tokens} after shared prefixes), " +
                              $"{repeats} alternating runs each: padded {padded:N0} → unpadded {unpadded:N0} tokens/s ({unpadded / padded:0.00}×); " +
                              $"unpadded {alone:N0} → prefixes shared {sharing:N0} tokens/s ({sharing / alone:0.00}×)");
        }
    }

    /// <summary>PPO's update forward and backward passes over one rollout batch (16 sampled rollouts of ≤ newTokens
    /// tokens) in shuffled minibatches cut at their own longest rollout, with the model's layers over the padded minibatch and
    /// over its real tokens alone (each row its own; the shared prefixes are measured in the training-pass lines), the output head on the response positions in both, alternately on the same model: real tokens/s
    /// of both, medians.</summary>
    private static void MinibatchesUnpadded(string folder, int repeats, Device device, ScalarType dtype, int newTokens, int miniBatch)
    {
        using var model = Load(folder, device, dtype);
        var tokenizer = AlignLab.Core.Tokenization.TextTokenizer.Load(folder);
        var prompts = DemoPrompts(tokenizer, 16);
        var generated = TextGenerator.Generate(model, prompts, SampledRollouts(tokenizer, newTokens));
        var samples = prompts.Select((p, i) => new PpoSample("", "", p, generated[i].Tokens.Length > 0 ? generated[i].Tokens : [tokenizer.EosTokenId], "")).ToList();
        using var rolloutScope = NewDisposeScope();
        var rollouts = PpoBatch.Build(samples, [.. samples.Select(s => new double[s.Response.Length])], tokenizer.EosTokenId, device);
        model.train();
        long padded = 0;
        double Passes(int round, bool unpad)
        {
            var rows = Enumerable.Range(0, samples.Count).ToArray();
            new Random(round).Shuffle(rows);
            foreach (var chunk in rows.Chunk(miniBatch))
            {
                using var scope = NewDisposeScope();
                var Pick = rollouts.Rollouts.Rows(chunk);
                var (ids, mask) = (Pick(rollouts.InputIds), Pick(rollouts.ResponseMask));
                if (round == 0 && !unpad) padded += ids.numel();
                var layout = rollouts.Rollouts.Unpadded(chunk);
                var logProbs = TokenLogProbs.OfResponses(model.Hidden(ids, unpadded: unpad ? layout.Unshared : null), model.Logits, ids, mask, layout, withEntropy: false);
                ((logProbs.LogProbs * mask).sum() / mask.sum()).neg().backward();
            }
            model.zero_grad();
            return rollouts.Tokens;
        }
        var (full, packed) = Alternately(repeats, device, r => Passes(r, unpad: false), r => Passes(r, unpad: true));
        Console.WriteLine($"PPO update passes, minibatches of {miniBatch} of 16 rollouts ({rollouts.Tokens} real tokens of {padded} in the minibatches), " +
                          $"{repeats} alternating runs: padded {full:N0}, unpadded {packed:N0} tokens/s, ratio {packed / full:0.00}×");
    }

    /// <summary>PPO's rollout batch (16 demo prompts, up to its max_new_tokens sampled tokens, seeded) through the generation path of
    /// before (<see cref="StepwiseGenerator"/>) and the current one (<see cref="TextGenerator"/>), alternately on the same
    /// model, on the run's device and in its dtype; medians of generated tokens/s, and a check that both drew the same tokens.</summary>
    private static void RolloutPaths(string folder, int repeats, Device device, ScalarType dtype, int newTokens)
    {
        using var model = Load(folder, device, dtype);
        var tokenizer = AlignLab.Core.Tokenization.TextTokenizer.Load(folder);
        var prompts = DemoPrompts(tokenizer, 16);
        var options = SampledRollouts(tokenizer, newTokens);
        var rates = new Dictionary<string, List<double>> { ["stepwise"] = [], ["current"] = [] };
        var same = true;
        for (int r = 0; r < repeats + WarmUp; r++)
        {
            var clock = Stopwatch.StartNew();
            var before = StepwiseGenerator.Generate(model, prompts, options);
            var beforeSeconds = clock.Elapsed.TotalSeconds;
            clock.Restart();
            var now = TextGenerator.Generate(model, prompts, options);
            var nowSeconds = clock.Elapsed.TotalSeconds;
            same &= before.Zip(now).All(p => p.First.Tokens.SequenceEqual(p.Second.Tokens));
            if (r < WarmUp) continue;
            rates["stepwise"].Add(before.Sum(s => s.Tokens.Length) / beforeSeconds);
            rates["current"].Add(now.Sum(s => s.Tokens.Length) / nowSeconds);
        }
        Console.WriteLine($"Rollout paths, PPO's batch (16 prompts, ≤ {newTokens} sampled tokens, seeded), {repeats} alternating runs: " +
                          $"stepwise {Median(rates["stepwise"]):N0}, current {Median(rates["current"]):N0} generated tokens/s, " +
                          $"ratio {Median(rates["current"]) / Median(rates["stepwise"]):0.00}×; same tokens: {same}");

        // A rollout batch of 256 prompts (PPO's batch_size, independent of its minibatch), the current path alone.
        var many = DemoPrompts(tokenizer, 256);
        var manyRates = new List<double>();
        for (int r = 0; r < 3 + 1; r++)
        {
            var clock = Stopwatch.StartNew();
            var generated = TextGenerator.Generate(model, many, options);
            if (r > 0) manyRates.Add(generated.Sum(s => s.Tokens.Length) / clock.Elapsed.TotalSeconds);
        }
        Console.WriteLine($"Rollout, current path, 256 prompts (≤ {newTokens} sampled tokens), 3 runs: {Median(manyRates):N0} generated tokens/s");
    }

    private static CausalLM Load(string folder, Device device, ScalarType dtype)
    {
        var model = ModelFolder.Load(folder);
        model.to(device).to(dtype);
        return model;
    }

    /// <summary>Two ways of one piece of work, each given the round and returning the units of work it did, timed alternately
    /// (each first every other round) after <see cref="WarmUp"/> rounds: the median rate of each.</summary>
    private static (double First, double Second) Alternately(int repeats, Device device, Func<int, double> first, Func<int, double> second)
    {
        var rates = new[] { new List<double>(), new List<double>() };
        Func<int, double>[] ways = [first, second];
        for (int round = 0; round < repeats + WarmUp; round++)
            foreach (var way in round % 2 == 0 ? new[] { 0, 1 } : [1, 0])
            {
                var clock = Stopwatch.StartNew();
                var work = ways[way](round);
                if (device.type == DeviceType.CUDA) cuda.synchronize();
                if (round >= WarmUp) rates[way].Add(work / clock.Elapsed.TotalSeconds);
            }
        return (Median(rates[0]), Median(rates[1]));
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted[sorted.Count / 2];
    }

    /// <summary>The first <paramref name="count"/> demo prompts in the Alpaca template, encoded.</summary>
    private static List<int[]> DemoPrompts(AlignLab.Core.Tokenization.TextTokenizer tokenizer, int count) =>
        [.. AlignLab.Core.Demo.DemoData.Generate(count, seed: 3)
            .Select(e => tokenizer.Encode(AlignLab.Core.Tokenization.PromptTemplate.Alpaca.Render(e.Instruction, e.Input)))];

    /// <summary>PPO's rollouts as the benchmark samples them: temperature 1, a fixed seed, up to the run's length.</summary>
    private static GenerationOptions SampledRollouts(AlignLab.Core.Tokenization.TextTokenizer tokenizer, int newTokens) =>
        new() { MaxNewTokens = newTokens, Temperature = 1, EosTokenId = tokenizer.EosTokenId, PadTokenId = tokenizer.EosTokenId, Seed = 7 };

    /// <summary>Collects a method's metrics and the wall time of each step (between its "lr" reports).</summary>
    private sealed class StepClock
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly Dictionary<string, List<double>> _series = [];
        private readonly List<double> _stepEnds = [];

        public void Report(long step, string name, double value)
        {
            if (!_series.TryGetValue(name, out var values)) _series[name] = values = [];
            values.Add(value);
            if (name == "lr") _stepEnds.Add(_clock.Elapsed.TotalSeconds);
        }

        public double Median(string name) => MethodThroughputBenchmark.Median(_series[name].Skip(WarmUp));

        public double MedianStepSeconds => MethodThroughputBenchmark.Median(_stepEnds.Zip(_stepEnds.Skip(1), (a, b) => b - a).Skip(WarmUp - 1));
    }
}
