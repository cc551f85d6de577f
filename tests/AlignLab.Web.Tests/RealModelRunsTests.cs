using System.Text.Json.Nodes;
using AlignLab.Testing;

namespace AlignLab.Web.Tests;

/// <summary>The methods run on the models users bring: SFT, FIGA, a reward model and PPO against it complete on tiny
/// Llama 3.1 and Qwen3 folders (real tokenizer files, the model's own chat template), through the API.</summary>
[Collection(PostgresCollection.Second)]
public sealed class RealModelRunsTests(PostgresFixture postgres) : WebAppTestBase(postgres)
{
    [Theory]
    [InlineData("llama3")]
    [InlineData("qwen3")]
    public async Task SftFigaRewardModelAndPpoCompleteWithTheModelsChatTemplate(string family)
    {
        RealModels.Create(family, Path.Combine(ModelRoot, family), positions: 512);
        var common = new JsonObject { ["model"] = family, ["template"] = "model", ["checkpoint_every"] = 0 };
        async Task<Guid> RunAsync(string method, JsonObject parameters)
        {
            foreach (var (key, value) in common) parameters[key] ??= value?.DeepClone();
            var run = await Api.CreateRunAsync(new JsonObject { ["method"] = method, ["parameters"] = parameters });
            var id = Guid.Parse(run["id"]!.GetValue<string>());
            await Api.WaitForStatusAsync(id, "Succeeded", TimeSpan.FromSeconds(180));
            Assert.Equal("model", (await Api.GetRunAsync(id))["parameters"]!["template"]!.GetValue<string>());
            return id;
        }

        var sft = await RunAsync("sft", new() { ["max_steps"] = 2, ["batch_size"] = 2, ["eval_every"] = 0, ["max_length"] = 96, ["eval_fraction"] = 0.05 });
        var figa = await RunAsync("figa", new() { ["max_steps"] = 2, ["batch_size"] = 2, ["grad_accum"] = 1, ["eval_every"] = 0, ["max_length"] = 128, ["eval_fraction"] = 0.02 });
        var rm = await RunAsync("reward-model", new()
        {
            ["level"] = "token", ["pairs"] = "edited", ["max_steps"] = 2, ["batch_size"] = 2, ["eval_every"] = 0, ["eval_fraction"] = 0.02, ["max_length"] = 128,
        });
        var ppo = await RunAsync("ppo", new()
        {
            ["variant"] = "fine-grained-token", ["reward_model"] = $"runs/{rm}/export", ["max_steps"] = 1, ["batch_size"] = 2, ["mini_batch_size"] = 2,
            ["max_new_tokens"] = 6,
        });

        foreach (var id in new[] { sft, figa, rm, ppo })
        {
            var exported = JsonNode.Parse(File.ReadAllText(Path.Combine(ArtifactRoot, "runs", id.ToString(), "export", "config.json")))!;
            Assert.Equal(family == "llama3" ? "llama" : "qwen3", exported["model_type"]!.GetValue<string>());
            Assert.True(File.Exists(Path.Combine(ArtifactRoot, "runs", id.ToString(), "export", "tokenizer.json")));
        }
        // The policy generated samples (from prompts its chat template rendered), scored by the token-level reward model.
        var samples = JsonNode.Parse(await Api.Http.GetStringAsync($"/api/runs/{ppo}/samples"))!.AsArray();
        Assert.Equal(2, samples.Count);
    }
}
