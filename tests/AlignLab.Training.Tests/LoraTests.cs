using AlignLab.Training.Adapters;
using AlignLab.Training.Models;
using static TorchSharp.torch;

namespace AlignLab.Training.Tests;

public class LoraTests
{
    private static readonly Tensor Ids = tensor(new long[] { 5, 9, 17, 3, 44, 12, 8, 30 }, [2, 4]);

    /// <summary>A model with adapters whose B is no longer zero, as after some training.</summary>
    private static CausalLM Adapted(out Tensor baseLogits)
    {
        var model = TinyModels.Gpt2(seed: 11);
        baseLogits = model.Forward(Ids).detach();
        Lora.Attach(model, ["c_attn"], rank: 4, alpha: 8, dropout: 0);
        using (no_grad())
            foreach (var (name, parameter) in model.named_parameters().Where(p => p.name.EndsWith("lora_B")))
                parameter.normal_(0, 0.5);
        return model;
    }

    [Fact]
    public void OnlyAdaptersTrainAndAFreshAdapterChangesNothing()
    {
        using var model = TinyModels.Gpt2(seed: 11);
        using var before = model.Forward(Ids);
        var names = Lora.Attach(model, Lora.DefaultTargets(model.Config.ModelType), rank: 4, alpha: 8, dropout: 0);
        Assert.Equal(["transformer.h.0.attn.c_attn", "transformer.h.1.attn.c_attn"], names);
        Assert.All(model.named_parameters(), p => Assert.Equal(p.name.Contains(".lora."), p.parameter.requires_grad));
        using var after = model.Forward(Ids);
        Assert.True(before.allclose(after, atol: 1e-6));   // B starts at zero
    }

    [Fact]
    public void WithAdaptersOffTheModelEqualsItsBase()
    {
        using var model = Adapted(out var baseLogits);
        Assert.False(model.Forward(Ids).allclose(baseLogits, atol: 1e-4));
        var off = Lora.WithoutAdapters(model, () => model.Forward(Ids).detach());
        Assert.True(off.allclose(baseLogits, atol: 1e-6));
        Assert.False(model.Forward(Ids).allclose(baseLogits, atol: 1e-4));   // back on afterwards
    }

    [Fact]
    public void TheMergedExportEqualsTheAdaptedModel()
    {
        using var model = Adapted(out _);
        using var adapted = model.Forward(Ids).detach();
        Lora.Merge(model);
        var folder = TinyModels.TempFolder();
        ModelFolder.Save(model, folder);

        using var exported = ModelFolder.Load(folder);
        exported.eval();
        Assert.True(exported.Forward(Ids).allclose(adapted, atol: 1e-5));
        Assert.DoesNotContain(exported.state_dict().Keys, k => k.Contains("lora"));
    }

    [Fact]
    public void UnknownTargetsAreRejected()
    {
        using var model = TinyModels.Gpt2();
        Assert.Throws<ArgumentException>(() => Lora.Attach(model, ["q_proj"], 4, 8, 0));
    }
}
