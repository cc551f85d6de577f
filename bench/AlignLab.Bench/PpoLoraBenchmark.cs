using System.Diagnostics;
using AlignLab.Core.Methods;
using AlignLab.Core.Runs;
using AlignLab.Training.Methods.Ppo;
using AlignLab.Training.Registry;

namespace AlignLab.Bench;

/// <summary>PPO on a large model, for the GPU: the keyword reward, bf16, and either LoRA (actor, critic and reference
/// share one frozen base; the reference is the base with adapters off) or full fine-tuning with a frozen reference
/// copy. Prints each step's time and throughput; GPU memory is sampled from outside (nvidia-smi), since the peak is
/// what decides whether a model fits. Arguments: model-folder [steps=4] [device=cuda] [lora|full] [batch=8] [new-tokens=48].</summary>
public static class PpoLoraBenchmark
{
    public static async Task RunAsync(string[] args)
    {
        var folder = Path.GetFullPath(args[0]);
        var steps = args.Length > 1 ? int.Parse(args[1]) : 4;
        var device = args.Length > 2 ? args[2] : "cuda";
        var lora = args.Length <= 3 || args[3] != "full";
        var batch = args.Length > 4 ? int.Parse(args[4]) : 8;
        var newTokens = args.Length > 5 ? int.Parse(args[5]) : 48;
        var method = new PpoMethod(new ModelRegistry([Path.GetDirectoryName(folder)!]));
        var spec = new RunRequestValidator(new MethodCatalog([method])).Validate(System.Text.Json.Nodes.JsonNode.Parse(
            $$$"""
            {"method":"ppo","parameters":{"model":"{{{Path.GetFileName(folder)}}}","reward":"keyword","keyword":"Tokyo","device":"{{{device}}}","precision":"bf16",
             "lora":{{{(lora ? "true" : "false")}}},"lora_r":16,"learning_rate":0.00001,"batch_size":{{{batch}}},"mini_batch_size":{{{Math.Max(1, batch / 2)}}},"ppo_epochs":2,
             "max_new_tokens":{{{newTokens}}},"max_steps":{{{steps}}},"checkpoint_every":0,"sample_every":0}}
            """)).Spec!;
        var clock = Stopwatch.StartNew();
        var last = TimeSpan.Zero;
        var context = new BenchRunContext(spec, Directory.CreateTempSubdirectory("alignlab-ppo-lora-").FullName, (step, name, value) =>
        {
            if (name is "rollout_tokens_per_s" or "train_tokens_per_s" or "reward" or "kl" or "response_length")
                Console.WriteLine($"step {step} {name} {value:0.###}");
            if (name == "lr")
            {
                Console.WriteLine($"step {step} seconds {(clock.Elapsed - last).TotalSeconds:0.00}");
                last = clock.Elapsed;
            }
        });
        Console.WriteLine($"ppo {(lora ? "lora" : "full")} {folder} on {device}, bf16, batch {batch}, {newTokens} new tokens");
        await method.RunAsync(context);
        Console.WriteLine($"{steps} steps in {clock.Elapsed.TotalSeconds:0.0} s (model load and export included)");
    }
}
