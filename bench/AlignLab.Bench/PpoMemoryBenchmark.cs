using System.Diagnostics;
using AlignLab.Core.Methods;
using AlignLab.Core.Runs;
using AlignLab.Training.Demo;
using AlignLab.Training.Methods.Ppo;
using AlignLab.Training.Registry;

namespace AlignLab.Bench;

/// <summary>Memory over a long PPO run on the CPU: the demo model with the keyword reward for N steps (default 500),
/// the process's resident set and the number of live TorchSharp tensors sampled every 25 steps. A tensor leak shows
/// as a climbing tensor count. Arguments: [steps] [checkpoint_every].</summary>
public static class PpoMemoryBenchmark
{
    public static async Task RunAsync(string[] args)
    {
        var steps = args.Length > 0 ? int.Parse(args[0]) : 500;
        var checkpointEvery = args.Length > 1 ? int.Parse(args[1]) : 100;
        var root = Directory.CreateTempSubdirectory("alignlab-ppo-memory-").FullName;
        DemoModel.Ensure(Path.Combine(root, DemoModel.Name));
        var method = new PpoMethod(new ModelRegistry([root]));
        var spec = new RunRequestValidator(new MethodCatalog([method])).Validate(System.Text.Json.Nodes.JsonNode.Parse(
            $$$"""{"method":"ppo","parameters":{"reward":"keyword","keyword":"Tokyo","learning_rate":0.0005,"batch_size":16,"mini_batch_size":8,"ppo_epochs":2,"max_new_tokens":12,"max_steps":{{{steps}}},"checkpoint_every":{{{checkpointEvery}}}}}""")).Spec!;
        var samples = new List<(long Step, double RssMb, long LiveTensors, double Reward)>();
        var context = new BenchRunContext(spec, Path.Combine(root, "run"), (step, name, value) =>
        {
            if (name != "reward" || (step % 25 != 0 && step != 1)) return;
            GC.Collect();
            GC.WaitForPendingFinalizers();
            using var process = Process.GetCurrentProcess();
            samples.Add((step, process.WorkingSet64 / 1048576.0, TorchSharp.torch.Tensor.TotalCount, value));
        });
        var clock = Stopwatch.StartNew();
        await method.RunAsync(context);
        Console.WriteLine($"{steps} PPO steps in {clock.Elapsed.TotalSeconds:0} s");
        Console.WriteLine("step | RSS MB | live tensors | reward");
        foreach (var (step, rss, live, reward) in samples)
            Console.WriteLine($"{step} | {rss:0.0} | {live} | {reward:0.00}");
    }
}
