using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AlignLab.Training.Adapters;

/// <summary>A low-rank update of one linear map (Hu et al. 2021): y = base(x) + (alpha / r) · B(A(dropout(x))),
/// A (r, in) Kaiming-uniform, B (out, r) zero, so a fresh adapter changes nothing. Switched off, the layer is its
/// frozen base again; that is how one base serves as actor and as reference model.</summary>
public sealed class LoraAdapter : nn.Module<Tensor, Tensor>
{
    private readonly Parameter lora_A;
    private readonly Parameter lora_B;
    private readonly Dropout dropout;

    public LoraAdapter(long inputs, long outputs, int rank, double alpha, double dropoutRate) : base(nameof(LoraAdapter))
    {
        Rank = rank;
        DropoutRate = dropoutRate;
        Scaling = alpha / rank;
        lora_A = new Parameter(empty(rank, inputs));
        nn.init.kaiming_uniform_(lora_A, a: Math.Sqrt(5));
        lora_B = new Parameter(zeros(outputs, rank));
        dropout = nn.Dropout(dropoutRate);
        RegisterComponents();
    }

    public int Rank { get; }
    public double DropoutRate { get; }
    public double Scaling { get; }
    public bool Enabled { get; set; } = true;

    /// <summary>The update to add to the base output (zeros when disabled).</summary>
    public override Tensor forward(Tensor x) =>
        nn.functional.linear(nn.functional.linear(dropout.forward(x), lora_A), lora_B) * Scaling;   // (…, out)

    /// <summary>ΔW in (out, in) layout: (alpha / r) · B A.</summary>
    public Tensor DeltaWeight() => lora_B.mm(lora_A) * Scaling;      // mm, not matmul: TorchSharp 0.107's matmul aborts the process on a shape error
}
