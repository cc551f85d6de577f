using System.Diagnostics;
using AlignLab.Core.Figa;
using AlignLab.Core.Previews;
using AlignLab.Core.Tokenization;
using AlignLab.Training.Demo;
using AlignLab.Training.Previews;
using AlignLab.Training.Registry;

namespace AlignLab.Bench;

/// <summary>The preview path of a web node, in process: FIGA weight previews of a 20,000-character pair (the most a
/// request may send) with the node's cached tokenizer against loading it per request, as before the cache; then 100
/// repeated FIGA and log-prob previews, with latency and the process's memory as they go; then six FIGA previews at once
/// through the node's <see cref="PreviewGate"/>. Usage: <c>previews [tokenizer-or-model-folder]</c> (default: the demo model).</summary>
public static class PreviewBenchmark
{
    public static async Task RunAsync(string[] args)
    {
        var root = Directory.CreateTempSubdirectory("alignlab-bench-previews-").FullName;
        var demo = DemoModel.Ensure(Path.Combine(root, DemoModel.Name));
        var folder = args.Length > 0 ? Path.GetFullPath(args[0]) : demo;
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}; tokenizer: {folder}");

        var (original, revised) = Pair(20_000);
        var options = new FigaOptions();
        using var loaded = new LoadedModels();
        var first = FigaWeightsPreview.Compute(loaded.Tokenizer(folder), original, revised, options);
        Console.WriteLine($"pair: {original.Length} and {revised.Length} characters, {first.Original.Count} and {first.Revised.Count} tokens, edit distance {first.EditDistance}");

        var uncached = Times(10, () => FigaWeightsPreview.Compute(TextTokenizer.Load(folder), original, revised, options));
        var cached = Times(10, () => FigaWeightsPreview.Compute(loaded.Tokenizer(folder), original, revised, options));
        Console.WriteLine($"FIGA preview, tokenizer loaded per request: median {Median(uncached):0.0} ms");
        Console.WriteLine($"FIGA preview, the node's cached tokenizer:  median {Median(cached):0.0} ms (ratio {Median(uncached) / Median(cached):0.00})");

        Console.WriteLine("100 FIGA previews in a row (memory after each 25; working set, managed heap):");
        Repeated(100, () => FigaWeightsPreview.Compute(loaded.Tokenizer(folder), original, revised, options));

        var tokenizer = loaded.Tokenizer(demo);
        var promptIds = tokenizer.EncodeWithSpecialTokens("What is the capital of France?");
        var responseIds = tokenizer.Encode(string.Join(' ', Enumerable.Repeat("The capital of France is Paris.", 20)));
        Console.WriteLine($"100 log-prob previews of the demo model in a row ({promptIds.Length} + {responseIds.Length} tokens):");
        Repeated(100, () => loaded.UseModelAsync(demo, model => LogProbPreview.ResponseLogProbs(model, promptIds, responseIds)).GetAwaiter().GetResult());

        // Six requests arrive at once: each one's latency is from the common arrival to its answer.
        foreach (var bound in new[] { 6, Environment.ProcessorCount })
        {
            using var gate = new PreviewGate(bound, TimeSpan.FromSeconds(60));
            GC.Collect();
            using var peak = new PeakWorkingSet();
            var arrival = Stopwatch.StartNew();
            var latencies = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Factory.StartNew(async () =>
            {
                using var slot = await gate.EnterAsync();
                FigaWeightsPreview.Compute(loaded.Tokenizer(folder), original, revised, options);
                return arrival.Elapsed.TotalMilliseconds;
            }, TaskCreationOptions.LongRunning).Unwrap()));
            Array.Sort(latencies);
            Console.WriteLine($"6 FIGA previews at once, at most {bound} computed at a time: all done in {latencies[^1]:0} ms; " +
                              $"answers after {latencies[0]:0} to {latencies[^1]:0} ms (median {latencies[3]:0} ms); peak working set {peak.Megabytes} MB");
        }
        Console.WriteLine($"memory at the end: {Memory()}");
        Directory.Delete(root, recursive: true);
    }

    /// <summary>An answer of about <paramref name="characters"/> characters and a minimal revision of it (every tenth
    /// sentence reworded), as a revised response is.</summary>
    private static (string Original, string Revised) Pair(int characters)
    {
        var sentences = new List<string>();
        var random = new Random(7);
        string[] words = ["the", "capital", "of", "France", "is", "Paris", "which", "lies", "on", "Seine", "river", "and", "has", "many", "museums"];
        while (sentences.Sum(s => s.Length + 1) < characters - 80)
            sentences.Add(string.Join(' ', Enumerable.Range(0, 8).Select(_ => words[random.Next(words.Length)])) + ".");
        var revised = sentences.Select((s, i) => i % 10 == 3 ? s.Replace("is", "was") + " Indeed." : s);
        return (string.Join(' ', sentences), string.Join(' ', revised));
    }

    private static List<double> Times(int count, Action action)
    {
        var times = new List<double>();
        for (int i = 0; i < count; i++)
        {
            var clock = Stopwatch.StartNew();
            action();
            times.Add(clock.Elapsed.TotalMilliseconds);
        }
        return times;
    }

    private static void Repeated(int count, Action action)
    {
        var times = new List<double>();
        for (int i = 1; i <= count; i++)
        {
            var clock = Stopwatch.StartNew();
            action();
            times.Add(clock.Elapsed.TotalMilliseconds);
            if (i == 1 || i % 25 == 0) Console.WriteLine($"  after {i,3}: {Memory()}");
        }
        var sorted = times.Order().ToList();
        Console.WriteLine($"  latency: median {sorted[count / 2]:0.0} ms, p95 {sorted[count * 95 / 100]:0.0} ms, first {times[0]:0.0} ms");
    }

    private static double Median(List<double> times) => times.Order().ElementAt(times.Count / 2);

    /// <summary>The highest working set seen (sampled every 5 ms) while it lives.</summary>
    private sealed class PeakWorkingSet : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _sampler;
        private long _peak;

        public PeakWorkingSet() => _sampler = Task.Run(async () =>
        {
            using var process = Process.GetCurrentProcess();
            while (!_stop.IsCancellationRequested)
            {
                process.Refresh();
                _peak = Math.Max(_peak, process.WorkingSet64);
                try { await Task.Delay(5, _stop.Token); } catch (OperationCanceledException) { }
            }
        });

        public long Megabytes => _peak / (1 << 20);

        public void Dispose()
        {
            _stop.Cancel();
            _sampler.Wait();
            _stop.Dispose();
        }
    }

    private static string Memory()
    {
        using var process = Process.GetCurrentProcess();
        return $"working set {process.WorkingSet64 / (1 << 20)} MB, managed heap {GC.GetTotalMemory(forceFullCollection: true) / (1 << 20)} MB";
    }
}
