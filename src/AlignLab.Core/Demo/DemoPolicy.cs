using System.Text.Json.Nodes;

namespace AlignLab.Core.Demo;

/// <summary>The demo policy: the demo model after SFT on the initial (wrong) answers of the demo SPA pairs. FIGA is meant
/// to refine a model that is confident in its mistakes; the untrained demo model is confident in nothing, so FIGA
/// (which penalises only deleted tokens the model is sure of, NLL below 0.6) would penalise nothing on it. This is the
/// first run's starting point: the platform trains it as a run of its own at first start and keeps its export in the
/// first model root under <see cref="Name"/>.</summary>
public static class DemoPolicy
{
    public const string Name = "demo-gpt2-sft";

    /// <summary>The model the demo policy starts from: the platform's random GPT-2, which the trainer creates in the first
    /// model root under this name.</summary>
    public const string BaseModel = "demo-gpt2";

    public const string RunName = "Demo policy: demo-gpt2 fine-tuned on the demo pairs' initial answers";

    /// <summary>The SFT run's parameters (the rest are SFT's defaults: 300 steps, about 20 s on two CPU cores).</summary>
    public static JsonObject Parameters(string device = "cpu") => new()
    {
        ["model"] = BaseModel,
        ["dataset"] = "demo-spa-initial",
        ["device"] = device,
        ["checkpoint_every"] = 0,
    };
}
