using System.Diagnostics;
using AlignLab.Core.Methods;
using AlignLab.Core.Runs;
using AlignLab.Core.Tokenization;
using AlignLab.Training.Demo;
using AlignLab.Training.Inference;
using AlignLab.Training.Methods.Figa;
using AlignLab.Training.Methods.Ppo;
using AlignLab.Training.Methods.RewardModeling;
using AlignLab.Training.Methods.Sft;
using AlignLab.Training.Models;
using AlignLab.Training.Registry;

namespace AlignLab.Bench;

/// <summary>Creates the demo model, fine-tunes it with the SFT defaults on the demo data, and prints the time
/// it took, the loss curve's ends and greedy answers to a few demo questions; then trains FIGA with its defaults
/// on the demo SPA pairs (fp32, and bf16 on CUDA). Argument: the device (cpu, cuda, cuda:N; default cpu).</summary>
public static class DemoTrainingBenchmark
{
    public static async Task RunAsync(string[] args)
    {
        var device = args.Length > 0 ? args[0] : "cpu";
        var root = Directory.CreateTempSubdirectory("alignlab-demo-").FullName;
        var clock = Stopwatch.StartNew();
        DemoModel.Ensure(Path.Combine(root, DemoModel.Name));
        Console.WriteLine($"demo model created in {clock.Elapsed.TotalSeconds:0.0} s");

        var registry = new ModelRegistry([root]);
        var method = new SftMethod(registry);
        var figa = new FigaMethod(registry);
        var rewardModel = new RewardModelMethod(registry);
        var ppo = new PpoMethod(registry);
        var validator = new RunRequestValidator(new MethodCatalog([method, figa, rewardModel, ppo]));
        RunSpec Spec(string name, string precision = "fp32", string extra = "") => validator.Validate(System.Text.Json.Nodes.JsonNode.Parse(
            $$$"""{"method":"{{{name}}}","parameters":{"device":"{{{device}}}","precision":"{{{precision}}}"{{{extra}}}}}""")).Spec!;
        var spec = Spec("sft");
        var context = new BenchRunContext(spec, Path.Combine(root, "run"));
        clock.Restart();
        await method.RunAsync(context);
        var eval = context.Points.Where(p => p.Name == "eval_loss").ToList();
        Console.WriteLine($"SFT with defaults ({spec.Parameters["max_steps"]} steps): {clock.Elapsed.TotalSeconds:0.0} s; eval_loss {eval[0].Value:0.000} → {eval[^1].Value:0.000}");

        var export = Path.Combine(context.ArtifactDirectory, "export");
        using var model = ModelFolder.Load(export);
        var tokenizer = TextTokenizer.Load(export);
        foreach (var question in new[] { "What is the capital of Japan?", "What color is a lime?", "Where does a camel live?", "What is two plus three?" })
        {
            var prompt = tokenizer.Encode(PromptTemplate.Alpaca.Render(question, ""));
            var answer = TextGenerator.Generate(model, [prompt], new GenerationOptions { MaxNewTokens = 24, Temperature = 0, EosTokenId = tokenizer.EosTokenId })[0];
            Console.WriteLine($"  {question} → {tokenizer.Decode(answer.Tokens)}");
        }

        foreach (var precision in device == "cpu" ? ["fp32"] : new[] { "fp32", "bf16" })
        {
            var figaSpec = Spec("figa", precision);
            var figaContext = new BenchRunContext(figaSpec, Path.Combine(root, "figa-" + precision));
            clock.Restart();
            await figa.RunAsync(figaContext);
            string Ends(string metric) => figaContext.Points.Where(p => p.Name == metric).ToList() is { Count: > 0 } points
                ? $"{metric} {points[0].Value:0.000} → {points[^1].Value:0.000}" : $"{metric} not reported";
            Console.WriteLine($"FIGA {precision} with defaults ({figaSpec.Parameters["max_steps"]} steps): {clock.Elapsed.TotalSeconds:0.0} s; " +
                              $"{Ends("eval_revised_logp")}; {Ends("eval_original_logp")}");
        }

        // The reward-model and PPO paths on the same device: the test configurations of RewardModelMethodTests and PpoMethodTests.
        var rmSpec = Spec("reward-model", extra: ",\"max_steps\":500,\"learning_rate\":0.001,\"warmup_steps\":10,\"eval_every\":0,\"eval_fraction\":0.1,\"checkpoint_every\":0");
        var rmContext = new BenchRunContext(rmSpec, Path.Combine(root, "reward-model"));
        clock.Restart();
        await rewardModel.RunAsync(rmContext);
        Console.WriteLine($"token-level reward model on demo-edits (500 steps, from the untrained demo model): {clock.Elapsed.TotalSeconds:0.0} s; " +
                          $"held-out accuracy {rmContext.Points.Last(p => p.Name == "eval_accuracy").Value:P1}");
        var ppoSpec = Spec("ppo", extra: ",\"reward\":\"keyword\",\"keyword\":\"Tokyo\",\"learning_rate\":0.001,\"mini_batch_size\":8,\"ppo_epochs\":2,\"max_new_tokens\":12,\"max_steps\":40,\"checkpoint_every\":20");
        var ppoContext = new BenchRunContext(ppoSpec, Path.Combine(root, "ppo"));
        clock.Restart();
        await ppo.RunAsync(ppoContext);
        var rewards = ppoContext.Points.Where(p => p.Name == "reward").Select(p => p.Value).ToList();
        Console.WriteLine($"PPO, keyword reward (40 steps of 16 rollouts): {clock.Elapsed.TotalSeconds:0.0} s; reward {rewards.Take(5).Average():0.00} → {rewards.TakeLast(5).Average():0.00} " +
                          $"(first and last 5 steps), final KL {ppoContext.Points.Last(p => p.Name == "kl").Value:0.0}");
    }
}
