using System.Text.Json.Nodes;
using AlignLab.Testing;

namespace AlignLab.Web.Tests;

/// <summary>GET /api/methods shows each PPO method's paper preset, each value held to its source: R³'s authors' code
/// (naver-ai/rethinking-proxy-reward: run_ppo.py, training_args.py on TRL 0.7.4) and paper (Table 7), and for the
/// fine-grained PPO of “Aligning Large Language Models via Fine-grained Supervision”, AlpacaFarm's PPO, which it builds on.
/// FIGA's is held to its sources in <see cref="FigaApiTests"/>. The tests only read: one web app serves the class.</summary>
[Collection(PostgresCollection.First)]
public sealed class PaperPresetsApiTests(SharedWebApp app) : IClassFixture<SharedWebApp>
{
    private async Task<(JsonNode Paper, JsonNode Demo, JsonArray Parameters)> PresetsAsync(string method)
    {
        var methods = JsonNode.Parse(await app.Api.Http.GetStringAsync("/api/methods"))!.AsArray();
        var descriptor = methods.Single(m => m!["name"]!.GetValue<string>() == method)!;
        return (descriptor["presets"]!["paper"]!, descriptor["presets"]!["demo"]!, descriptor["parameters"]!.AsArray());
    }

    private static T Value<T>(JsonNode preset, string name) => preset[name]!.GetValue<T>();

    [Fact]
    public async Task R3sPaperPresetIsTheAuthorsTrainingArguments()
    {
        var (paper, demo, parameters) = await PresetsAsync("r3-ppo");
        // training_args.py: LoRA r 8, α 16, dropout 0.05; vf_coef 1.0; score scaling and normalisation, clip 10;
        // batch 16 in minibatches of 2 with 4 accumulation steps.
        Assert.Equal((true, 8, 16.0, 0.05), (Value<bool>(paper, "lora"), Value<int>(paper, "lora_r"), Value<double>(paper, "lora_alpha"), Value<double>(paper, "lora_dropout")));
        Assert.Equal(1.0, Value<double>(paper, "vf_coef"));
        Assert.Equal((true, true, 10.0), (Value<bool>(paper, "score_scaling"), Value<bool>(paper, "score_norm"), Value<double>(paper, "score_clip")));
        Assert.Equal((16, 2, 4), (Value<int>(paper, "batch_size"), Value<int>(paper, "mini_batch_size"), Value<int>(paper, "grad_accum")));
        // Table 7 and docs/methods.md: lr 1e-5 constant, rollouts to 512 tokens, 4 PPO epochs, adaptive KL from 0.2 (target 6,
        // horizon 10,000), clip 0.2, γ 1, λ 0.95.
        Assert.Equal((1e-5, "constant", 512, 4), (Value<double>(paper, "learning_rate"), Value<string>(paper, "schedule"), Value<int>(paper, "max_new_tokens"), Value<int>(paper, "ppo_epochs")));
        Assert.Equal((0.2, true, 6.0, 10_000.0), (Value<double>(paper, "init_kl_coef"), Value<bool>(paper, "adaptive_kl"), Value<double>(paper, "target_kl"), Value<double>(paper, "kl_horizon")));
        Assert.Equal((0.2, 1.0, 0.95), (Value<double>(paper, "cliprange"), Value<double>(paper, "gamma"), Value<double>(paper, "lam")));
        // TRL 0.7.4 neither clamps the KL nor whitens rewards.
        Assert.Equal((false, false), (Value<bool>(paper, "kl_clamp"), Value<bool>(paper, "whiten_rewards")));
        // The paper's appendix: the checkpoint with the best mean reward, compared every 1,000 steps.
        Assert.Equal(1000, Value<int>(paper, "best_every"));
        // LLaMA-2 has no dropout; on a model with dropout the preset turns it off (LoRA's stays).
        Assert.True(Value<bool>(paper, "disable_dropout"));
        Assert.All(parameters, p => Assert.True(JsonNode.DeepEquals(p!["default"], paper[p["name"]!.GetValue<string>()]), p["name"]!.GetValue<string>()));
        Assert.True(Value<int>(demo, "max_new_tokens") < 512 && Value<int>(demo, "max_steps") < Value<int>(paper, "max_steps"));
    }

    [Fact]
    public async Task FineGrainedPposPaperPresetIsAlpacaFarmsPpo()
    {
        var (paper, demo, parameters) = await PresetsAsync("ppo");
        // AlpacaFarm's PPO (ppo_utils.py, rlhf_ppo.sh): 300-token rollouts, γ 1, λ 1, a fixed KL coefficient of 0.02 on the
        // per-token KL clamped at 0 (ppo_trainer.py), reward whitening, the critic initialised from the reward model,
        // 2 PPO epochs, lr 1e-5 with 5 warmup steps and the Hugging Face default linear decay.
        Assert.Equal(300, Value<int>(paper, "max_new_tokens"));
        Assert.Equal((1.0, 1.0), (Value<double>(paper, "gamma"), Value<double>(paper, "lam")));
        Assert.Equal((0.02, false), (Value<double>(paper, "init_kl_coef"), Value<bool>(paper, "adaptive_kl")));
        Assert.Equal((true, true, "reward_model"), (Value<bool>(paper, "kl_clamp"), Value<bool>(paper, "whiten_rewards"), Value<string>(paper, "critic")));
        Assert.Equal((2, 1e-5), (Value<int>(paper, "ppo_epochs"), Value<double>(paper, "learning_rate")));
        Assert.Equal(("linear", 5), (Value<string>(paper, "schedule"), Value<int>(paper, "warmup_steps")));
        // AlpacaFarm's policy stays in eval mode during PPO updates: no dropout.
        Assert.True(Value<bool>(paper, "disable_dropout"));
        Assert.All(parameters, p => Assert.True(JsonNode.DeepEquals(p!["default"], paper[p["name"]!.GetValue<string>()]), p["name"]!.GetValue<string>()));
        Assert.Equal(32, Value<int>(demo, "max_new_tokens"));
        Assert.Equal("policy", Value<string>(demo, "critic"));
    }
}
