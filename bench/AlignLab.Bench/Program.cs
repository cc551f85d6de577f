using AlignLab.Bench;

// Benchmarks of AlignLab. Usage: dotnet run -c Release --project bench/AlignLab.Bench -- <benchmark> [arguments]
// Results are recorded by hand in bench/results/ with machine, date and command.
var benchmarks = new Dictionary<string, Func<string[], Task>>
{
    ["metrics-path"] = _ => MetricsPathBenchmark.RunAsync(),
    ["engine"] = EngineBenchmark.RunAsync,
    ["method-throughput"] = MethodThroughputBenchmark.RunAsync,
    ["demo-training"] = DemoTrainingBenchmark.RunAsync,
    ["alignment"] = _ => AlignmentBenchmark.RunAsync(),
    ["parity"] = ParityBenchmark.RunAsync,
    ["ppo-memory"] = PpoMemoryBenchmark.RunAsync,
    ["ppo-lora"] = PpoLoraBenchmark.RunAsync,
    ["retriever-parity"] = RetrieverParityBenchmark.RunAsync,
    ["service"] = ServiceBenchmark.RunAsync,
    ["previews"] = PreviewBenchmark.RunAsync,
    ["first-run"] = FirstRunBenchmark.RunAsync,
    ["rollout-storage"] = RolloutStorageBenchmark.RunAsync,
    ["system-metrics"] = SystemMetricsBenchmark.RunAsync,
    ["optimizer"] = OptimizerBenchmark.RunAsync,
    ["shapes"] = BenchShapes.RunAsync,
    ["out-of-memory"] = OutOfMemoryBenchmark.RunAsync,
    ["op-costs"] = OpCostsBenchmark.RunAsync,
};
if (args.Length < 1 || !benchmarks.TryGetValue(args[0], out var run))
{
    Console.Error.WriteLine($"usage: AlignLab.Bench <{string.Join("|", benchmarks.Keys)}> [arguments]");
    return 2;
}
await run(args[1..]);
return 0;
