using System.Diagnostics;
using AlignLab.Core.Methods;
using AlignLab.Core.Ppo;
using AlignLab.Core.Runs;
using AlignLab.Training.Demo;
using AlignLab.Training.Methods.Ppo;
using AlignLab.Training.Registry;

namespace AlignLab.Bench;

/// <summary>How much a PPO run's rollouts browser stores: a 1,000-step PPO run on the demo model (keyword reward, the
/// demo preset with sample_every and rollouts_kept at their defaults, 10 and 8) and the size of its rollouts.jsonl beside
/// its other per-step files. Arguments: steps (default 1000), max_new_tokens (default 32).</summary>
public static class RolloutStorageBenchmark
{
    public static async Task RunAsync(string[] args)
    {
        var steps = args.Length > 0 ? int.Parse(args[0]) : 1000;
        var tokens = args.Length > 1 ? int.Parse(args[1]) : 32;
        var root = Directory.CreateTempSubdirectory("alignlab-rollouts-").FullName;
        DemoModel.Ensure(Path.Combine(root, DemoModel.Name));
        var registry = new ModelRegistry([root]);
        var ppo = new PpoMethod(registry);
        var spec = new RunRequestValidator(new MethodCatalog([ppo])).Validate(System.Text.Json.Nodes.JsonNode.Parse(
            $$$"""{"method":"ppo","parameters":{"preset":"demo","reward":"keyword","keyword":"Tokyo","max_steps":{{{steps}}},"batch_size":8,"mini_batch_size":4,"ppo_epochs":1,"max_new_tokens":{{{tokens}}},"checkpoint_every":0}}""")).Spec!;
        var context = new BenchRunContext(spec, Path.Combine(root, "run"));
        var clock = Stopwatch.StartNew();
        await ppo.RunAsync(context);
        Console.WriteLine($"{steps} PPO steps (batch 8, max_new_tokens {tokens}, sample_every {spec.Parameters["sample_every"]}, rollouts_kept {spec.Parameters["rollouts_kept"]}) in {clock.Elapsed.TotalSeconds:0} s");
        foreach (var file in new[] { PpoArtifacts.RolloutsFile, PpoArtifacts.SamplesFile, PpoArtifacts.RolloutStatsFile })
        {
            var path = Path.Combine(context.ArtifactDirectory, file);
            var lines = File.ReadLines(path).Count();
            var bytes = new FileInfo(path).Length;
            Console.WriteLine($"  {file}: {bytes / 1024.0:0.0} KB, {lines} lines, {bytes / Math.Max(1, lines)} bytes per line");
        }
        var rollouts = StepLog.Read<RolloutRecord>(Path.Combine(context.ArtifactDirectory, PpoArtifacts.RolloutsFile)).ToList();
        Console.WriteLine($"  rollouts stored: {rollouts.Count} over {rollouts.Select(r => r.Step).Distinct().Count()} steps, {rollouts.Average(r => r.Tokens.Count):0.0} tokens each");
        Directory.Delete(root, recursive: true);
    }
}
