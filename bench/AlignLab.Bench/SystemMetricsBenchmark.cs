using AlignLab.Core.Metrics;
using AlignLab.Core.Methods;
using AlignLab.Core.Runs;
using AlignLab.Jobs.Metrics;
using AlignLab.Training.Demo;
using AlignLab.Training.Methods.Sft;
using AlignLab.Training.Registry;

namespace AlignLab.Bench;

/// <summary>The worker's system metrics on a real device: runs the demo SFT for 20 steps through <see cref="SystemMetrics"/>
/// (with the NVML monitor on CUDA, as a worker does) and prints every system/ point. On a GPU node it shows that the GPU
/// memory, its peak and the utilisation arrive; on the CPU, that none of them do. Argument: the device (default cpu).</summary>
public static class SystemMetricsBenchmark
{
    public static async Task RunAsync(string[] args)
    {
        var device = args.Length > 0 ? args[0] : "cpu";
        var root = Directory.CreateTempSubdirectory("alignlab-system-").FullName;
        DemoModel.Ensure(Path.Combine(root, DemoModel.Name));
        var method = new SftMethod(new ModelRegistry([root]));
        var spec = new RunRequestValidator(new MethodCatalog([method])).Validate(System.Text.Json.Nodes.JsonNode.Parse(
            $$$"""{"method":"sft","parameters":{"device":"{{{device}}}","max_steps":20,"eval_every":10}}""")).Spec!;
        var context = new BenchRunContext(spec, Path.Combine(root, "run"));
        var monitor = GpuMonitor.For(device);
        Console.WriteLine($"device {device}: NVML monitor {(monitor is null ? "absent" : "present")}");
        var system = new SystemMetrics(context, TimeSpan.Zero, monitor);
        await method.RunAsync(new MetricsOverride(context, system));
        foreach (var group in context.Points.Where(p => p.Name.StartsWith(SystemMetrics.Prefix, StringComparison.Ordinal)).GroupBy(p => p.Name))
            Console.WriteLine($"{group.Key}: {group.Count()} points, last {group.Last().Value:0.0}, max {group.Max(p => p.Value):0.0}");
    }

    /// <summary>The bench context with its metrics passing through the system sampler first.</summary>
    private sealed class MetricsOverride(BenchRunContext inner, IMetricsSink metrics) : IRunContext
    {
        public Guid RunId => inner.RunId;
        public Core.Runs.RunSpec Spec => inner.Spec;
        public MethodParameters Parameters => inner.Parameters;
        public IMetricsSink Metrics => metrics;
        public Core.Checkpoints.ICheckpointStore Checkpoints => inner.Checkpoints;
        public string ArtifactDirectory => inner.ArtifactDirectory;
        public CancellationToken CancellationToken => inner.CancellationToken;
    }
}
