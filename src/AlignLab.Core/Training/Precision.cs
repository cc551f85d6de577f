namespace AlignLab.Core.Training;

/// <summary>The precision a run computes and keeps its weights in, from its <c>precision</c> and <c>device</c>:
/// <list type="bullet">
/// <item><c>fp32</c>: everything in fp32;</item>
/// <item><c>bf16-mixed</c>: the model computes in bf16, and the optimizer updates fp32 master weights (with fp32
/// gradients and moments) that the model's weights are rounded from after each update. This is what Hugging Face
/// Trainer's <c>--bf16 True</c> does in the papers' code (there through autocast): updates smaller than bf16's
/// resolution still add up;</item>
/// <item><c>bf16</c>: pure bf16, weights, gradients and moments: half the memory, but an update below bf16's resolution
/// (1/256 of the weight) is lost; at a learning rate of 1e-5 most are;</item>
/// <item><c>auto</c>: bf16-mixed on CUDA, fp32 on the CPU.</item>
/// </list></summary>
public static class Precision
{
    public const string Auto = "auto", Fp32 = "fp32", Bf16 = "bf16", Bf16Mixed = "bf16-mixed";

    public static readonly IReadOnlyList<string> Choices = [Auto, Fp32, Bf16, Bf16Mixed];

    /// <summary>fp32, bf16 or bf16-mixed: what <paramref name="precision"/> means on <paramref name="device"/>.</summary>
    public static string Resolve(string precision, string device) =>
        precision == Auto ? (device.StartsWith("cuda", StringComparison.Ordinal) ? Bf16Mixed : Fp32) : precision;

    /// <summary>Whether the model computes in bf16 (bf16 and bf16-mixed).</summary>
    public static bool ComputesInBf16(string resolved) => resolved is Bf16 or Bf16Mixed;
}
