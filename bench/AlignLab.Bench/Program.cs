using AlignLab.Bench;

// Benchmarks of AlignLab. Usage: dotnet run -c Release --project bench/AlignLab.Bench -- <benchmark>
// Results are recorded by hand in bench/results/ with machine, date and command.
var benchmarks = new Dictionary<string, Func<Task>>
{
    ["metrics-path"] = MetricsPathBenchmark.RunAsync,
    ["engine"] = EngineBenchmark.RunAsync,
    ["demo-training"] = DemoTrainingBenchmark.RunAsync,
    ["alignment"] = AlignmentBenchmark.RunAsync,
};
if (args.Length != 1 || !benchmarks.TryGetValue(args[0], out var run))
{
    Console.Error.WriteLine($"usage: AlignLab.Bench <{string.Join("|", benchmarks.Keys)}>");
    return 2;
}
await run();
return 0;
