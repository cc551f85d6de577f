using System.Diagnostics;
using AlignLab.Core.Alignment;

namespace AlignLab.Bench;

/// <summary>Levenshtein token alignment (edit operations with backtrace) for pairs of n tokens where about 10 % of
/// the tokens are edited, as a minimally revised response is.</summary>
public static class AlignmentBenchmark
{
    public static Task RunAsync()
    {
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}");
        foreach (var n in new[] { 512, 2000, 8000 })
        {
            var random = new Random(n);
            var source = Enumerable.Range(0, n).Select(_ => random.Next(32000)).ToArray();
            var target = source.Select(t => random.NextDouble() < 0.1 ? random.Next(32000) : t).ToArray();
            TokenAlignment.EditOps(source, target);
            var times = new List<double>();
            int ops = 0;
            for (int i = 0; i < (n > 4000 ? 3 : 10); i++)
            {
                var clock = Stopwatch.StartNew();
                ops = TokenAlignment.EditOps(source, target).Count;
                times.Add(clock.Elapsed.TotalMilliseconds);
            }
            times.Sort();
            Console.WriteLine($"{n} × {n} tokens: median {times[times.Count / 2]:0.0} ms, best {times[0]:0.0} ms ({ops} edit ops)");
        }
        return Task.CompletedTask;
    }
}
