using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AlignLab.Training.Optimization;

/// <summary>AdamW with two parameter groups: weight decay on matrices (linear/Conv1D weights, embeddings), none on
/// vectors (biases, norm gains), as nanoGPT and transformers' Trainer do. Frozen parameters are left out.</summary>
public static class AdamWFactory
{
    public static AdamW Create(nn.Module model, double learningRate, double weightDecay, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8) =>
        Create(model.parameters().Where(p => p.requires_grad), learningRate, weightDecay, beta1, beta2, eps);

    /// <summary>AdamW over <paramref name="trainable"/> (a module's parameters, or their fp32 masters).</summary>
    public static AdamW Create(IEnumerable<Parameter> trainable, double learningRate, double weightDecay, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8)
    {
        var parameters = trainable.ToList();
        var decay = parameters.Where(p => p.dim() >= 2).ToList();
        var noDecay = parameters.Where(p => p.dim() < 2).ToList();
        var groups = new List<AdamW.ParamGroup>();
        if (decay.Count > 0) groups.Add(new AdamW.ParamGroup(decay, learningRate, beta1, beta2, eps, weightDecay));
        if (noDecay.Count > 0) groups.Add(new AdamW.ParamGroup(noDecay, learningRate, beta1, beta2, eps, 0));
        return optim.AdamW(groups, learningRate, beta1, beta2, eps, weightDecay);
    }

    public static void SetLearningRate(AdamW optimizer, double learningRate)
    {
        foreach (var group in optimizer.ParamGroups) group.LearningRate = learningRate;
    }
}
