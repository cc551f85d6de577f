using System.Diagnostics;
using AlignLab.Core.Demo;
using AlignLab.Core.Methods;
using AlignLab.Core.Runs;
using AlignLab.Training.Demo;
using AlignLab.Training.Methods.Figa;
using AlignLab.Training.Methods.Sft;
using AlignLab.Training.Registry;

namespace AlignLab.Bench;

/// <summary>The home page's first run, end to end and timed: the demo model, the demo policy (SFT on the demo pairs'
/// initial answers, so that it is confident in the mistakes FIGA corrects), then FIGA with its defaults from that policy
/// for the given number of steps, printing what the run page plots: the penalised tokens FIGA counts
/// (bad_tokens_kept) and the held-out log-probabilities of the penalised and rewarded tokens.
/// Arguments: FIGA steps (default 200, the paper's), the device (default cpu), and FIGA's preset (default paper; demo is the
/// home page's).</summary>
public static class FirstRunBenchmark
{
    public static async Task RunAsync(string[] args)
    {
        var steps = args.Length > 0 ? int.Parse(args[0]) : 200;
        var device = args.Length > 1 ? args[1] : "cpu";
        var preset = args.Length > 2 ? args[2] : "paper";
        var root = Directory.CreateTempSubdirectory("alignlab-first-run-").FullName;
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}, device {device}");
        var clock = Stopwatch.StartNew();
        DemoModel.Ensure(Path.Combine(root, DemoModel.Name));
        var registry = new ModelRegistry([root]);
        var sft = new SftMethod(registry);
        var figa = new FigaMethod(registry);
        var validator = new RunRequestValidator(new MethodCatalog([sft, figa]));
        RunSpec Spec(string json) => validator.Validate(System.Text.Json.Nodes.JsonNode.Parse(json)).Spec
                                     ?? throw new InvalidOperationException(string.Join("; ", validator.Validate(System.Text.Json.Nodes.JsonNode.Parse(json)).Errors.Select(e => $"{e.Key}: {e.Value[0]}")));

        var policy = new BenchRunContext(Spec($$"""{"method":"sft","parameters":{{DemoPolicy.Parameters(device).ToJsonString()}}}"""), Path.Combine(root, "policy"));
        clock.Restart();
        await sft.RunAsync(policy);
        var eval = policy.Points.Where(p => p.Name == "eval_loss").ToList();
        Console.WriteLine($"demo policy (SFT on the initial answers): {clock.Elapsed.TotalSeconds:0.0} s; eval_loss {eval[0].Value:0.000} → {eval[^1].Value:0.000}");
        var policyFolder = Path.Combine(root, DemoPolicy.Name);
        Directory.Move(Path.Combine(policy.ArtifactDirectory, "export"), policyFolder);

        var run = new BenchRunContext(Spec($$$"""{"method":"figa","parameters":{"preset":"{{{preset}}}","model":"{{{DemoPolicy.Name}}}","device":"{{{device}}}","max_steps":{{{steps}}},"eval_every":{{{Math.Max(1, steps / 4)}}}}}"""),
            Path.Combine(root, "figa"));
        clock.Restart();
        await figa.RunAsync(run);
        Console.WriteLine($"FIGA from the demo policy, {preset} preset, {steps} steps: {clock.Elapsed.TotalSeconds:0.0} s");
        foreach (var name in new[] { "bad_tokens_kept", "bad_tokens_dropped", "good_tokens" })
        {
            var values = run.Points.Where(p => p.Name == name).ToList();
            Console.WriteLine($"  {name}: step 1 {values[0].Value:0}, last {values[^1].Value:0}, mean {values.Average(p => p.Value):0.0}");
        }
        foreach (var name in new[] { "eval_penalised_token_logp", "eval_rewarded_token_logp", "eval_original_logp", "eval_revised_logp" })
            Console.WriteLine($"  {name}: {string.Join(" → ", run.Points.Where(p => p.Name == name).Select(p => $"{p.Value:0.000} (step {p.Step})"))}");
        Directory.Delete(root, recursive: true);
    }
}
