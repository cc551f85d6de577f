using AlignLab.Core.Memory;
using AlignLab.Core.Metrics;
using AlignLab.Core.Methods;
using AlignLab.Core.Runs;
using AlignLab.Jobs.Metrics;
using AlignLab.Training.Demo;
using AlignLab.Training.Methods.Figa;
using AlignLab.Training.Methods.Ppo;
using AlignLab.Training.Methods.Sft;
using AlignLab.Training.Registry;

namespace AlignLab.Bench;

/// <summary>The worker's system metrics on a real device, and the memory estimate against what a run really held: runs
/// SFT, FIGA and PPO for 10 steps each through <see cref="SystemMetrics"/> (with the NVML monitor on CUDA, as a worker
/// does) and prints every system/ series and, on CUDA, the run's sampled GPU peak beside the estimate submission records
/// (<see cref="RunMemoryEstimate"/>), with their ratio. The runs compute every row's prefix (share_prefixes off), as the
/// estimate counts them; FIGA then runs again with shared prefixes, which hold less. On the CPU it shows that no GPU series
/// arrive.
/// Arguments: the device (default cpu) and the shape (demo or gpt2-small; default demo).</summary>
public static class SystemMetricsBenchmark
{
    public static async Task RunAsync(string[] args)
    {
        var device = args.Length > 0 ? args[0] : "cpu";
        var shape = args.Length > 1 ? args[1] : "demo";
        var root = Directory.CreateTempSubdirectory("alignlab-system-").FullName;
        var folder = BenchShapes.Prepare(root, shape);
        var registry = new ModelRegistry([root]);
        ITrainingMethod[] methods = [new SftMethod(registry), new FigaMethod(registry), new PpoMethod(registry)];
        var validator = new RunRequestValidator(new MethodCatalog(methods), registry);
        Console.WriteLine($"device {device}, model {shape}: NVML monitor {(GpuMonitor.For(device) is null ? "absent" : "present")}");
        foreach (var (method, share) in methods.Select(m => (m, false)).Append((methods[1], true)))
        {
            var name = method.Descriptor.Name;
            var extra = name == MethodNames.Ppo ? ""","reward":"keyword","keyword":"Tokyo" """ : name == MethodNames.Figa ? ""","eval_every":0""" : ""","eval_every":10""";
            var spec = validator.Validate(System.Text.Json.Nodes.JsonNode.Parse(
                $$$"""{"method":"{{{name}}}","parameters":{"model":"{{{Path.GetFileName(folder)}}}","device":"{{{device}}}","max_steps":10,"checkpoint_every":0,"share_prefixes":{{{(share ? "true" : "false")}}}{{{extra}}}}}""")).Spec!;
            var context = new BenchRunContext(spec, Path.Combine(root, share ? name + "-shared" : name));
            var system = new SystemMetrics(context, TimeSpan.Zero, GpuMonitor.For(device));
            await method.RunAsync(new MetricsOverride(context, system));
            Console.WriteLine($"{name}{(share ? ", prefixes shared" : "")}:");
            foreach (var group in context.Points.Where(p => p.Name.StartsWith(SystemMetrics.Prefix, StringComparison.Ordinal)).GroupBy(p => p.Name))
                Console.WriteLine($"  {group.Key}: {group.Count()} points, last {group.Last().Value:0.0}, max {group.Max(p => p.Value):0.0}");
            if (spec.Memory is { } estimate)
                Console.WriteLine($"  estimate {MemoryEstimate.Format(estimate.Bytes)} ({estimate.Setting}: {estimate.Breakdown})" +
                                  (system.GpuPeakMb is { } peak ? $"; sampled GPU peak {peak:N0} MiB, peak / estimate {peak * 1048576 / estimate.Bytes:0.00}" : ""));
        }
    }

    /// <summary>The bench context with its metrics passing through the system sampler first.</summary>
    private sealed class MetricsOverride(BenchRunContext inner, IMetricsSink metrics) : IRunContext
    {
        public Guid RunId => inner.RunId;
        public RunSpec Spec => inner.Spec;
        public MethodParameters Parameters => inner.Parameters;
        public IMetricsSink Metrics => metrics;
        public Core.Checkpoints.ICheckpointStore Checkpoints => inner.Checkpoints;
        public string ArtifactDirectory => inner.ArtifactDirectory;
        public CancellationToken CancellationToken => inner.CancellationToken;
    }
}
