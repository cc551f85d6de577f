using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AlignLab.Training.Adapters;

/// <summary>nn.Linear with Hugging Face's parameter names (weight (out, in), optional bias) that can carry a LoRA adapter.</summary>
public sealed class AdaptableLinear : nn.Module<Tensor, Tensor>, IAdaptableLinear
{
    private readonly Parameter weight;
    private readonly Parameter? bias;
    private LoraAdapter? lora;

    public AdaptableLinear(long inputs, long outputs, bool hasBias, double std) : base(nameof(AdaptableLinear))
    {
        weight = new Parameter(empty(outputs, inputs).normal_(0, std));
        bias = hasBias ? new Parameter(zeros(outputs)) : null;
        RegisterComponents();
    }

    public LoraAdapter? Lora => lora;

    public override Tensor forward(Tensor x)
    {
        var y = nn.functional.linear(x, weight, bias);
        return lora is { Enabled: true } ? y + lora.forward(x) : y;
    }

    public void AttachLora(int rank, double alpha, double dropout)
    {
        if (lora is not null) throw new InvalidOperationException("this layer already has an adapter");
        lora = new LoraAdapter(weight.shape[1], weight.shape[0], rank, alpha, dropout).to(weight.device).to(weight.dtype);
        register_module("lora", lora);
    }

    public void MergeLora()
    {
        if (lora is null) return;
        using (no_grad()) weight.add_(lora.DeltaWeight());            // W is (out, in)
        lora.Enabled = false;
    }
}
