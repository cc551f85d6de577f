using System.Numerics;
using System.Runtime.InteropServices;

namespace AlignLab.Testing.Reference;

/// <summary>RoPE settings after reading config.json (see <see cref="ReferenceConfig"/>).</summary>
/// <param name="Type">"default", "linear" or "llama3".</param>
/// <param name="Theta">rope_theta (base).</param>
/// <param name="Factor">Scaling factor (linear, llama3); 1 for default.</param>
/// <param name="LowFreqFactor">llama3 low_freq_factor.</param>
/// <param name="HighFreqFactor">llama3 high_freq_factor.</param>
/// <param name="OriginalMaxPositionEmbeddings">llama3 original_max_position_embeddings (old context length).</param>
public sealed record RopeSpec(
    string Type,
    double Theta,
    double Factor = 1.0,
    double LowFreqFactor = 0.0,
    double HighFreqFactor = 0.0,
    double OriginalMaxPositionEmbeddings = 0.0);

/// <summary>
/// float64 building blocks, each written from the Hugging Face transformers definitions.
/// </summary>
public static class ReferenceMath
{
    /// <summary>sqrt(2/pi), the constant of the tanh GELU approximation.</summary>
    public static readonly double Sqrt2OverPi = Math.Sqrt(2.0 / Math.PI);

    /// <summary>Dot product (SIMD-accumulated; lengths must match).</summary>
    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        if (a.Length != b.Length)
        {
            throw new ArgumentException($"Dot: lengths {a.Length} and {b.Length} differ.");
        }

        int i = 0;
        double sum = 0.0;
        if (Vector.IsHardwareAccelerated && a.Length >= 2 * Vector<double>.Count)
        {
            var va = MemoryMarshal.Cast<double, Vector<double>>(a);
            var vb = MemoryMarshal.Cast<double, Vector<double>>(b);
            var acc = Vector<double>.Zero;
            for (int j = 0; j < va.Length; j++)
            {
                acc += va[j] * vb[j];
            }

            sum = Vector.Sum(acc);
            i = va.Length * Vector<double>.Count;
        }

        for (; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }

    /// <summary>log(sum(exp(x))) with max subtraction.</summary>
    public static double LogSumExp(ReadOnlySpan<double> x)
    {
        double max = double.NegativeInfinity;
        foreach (var v in x)
        {
            if (v > max)
            {
                max = v;
            }
        }

        if (double.IsNegativeInfinity(max))
        {
            return double.NegativeInfinity;
        }

        double sum = 0.0;
        foreach (var v in x)
        {
            sum += Math.Exp(v - max);
        }

        return max + Math.Log(sum);
    }

    /// <summary>log_softmax(x) = x - logsumexp(x).</summary>
    public static double[] LogSoftmax(ReadOnlySpan<double> x)
    {
        double lse = LogSumExp(x);
        var y = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            y[i] = x[i] - lse;
        }

        return y;
    }

    /// <summary>softmax(x) with max subtraction.</summary>
    public static double[] Softmax(ReadOnlySpan<double> x)
    {
        double lse = LogSumExp(x);
        var y = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            y[i] = Math.Exp(x[i] - lse);
        }

        return y;
    }

    /// <summary>
    /// LlamaRMSNorm / Qwen3RMSNorm: weight * (x / sqrt(mean(x^2) + eps)). (transformers computes the variance in
    /// float32 and multiplies by the weight after casting back to the input dtype; here everything is double.)
    /// </summary>
    public static void RmsNorm(ReadOnlySpan<double> x, ReadOnlySpan<double> weight, double eps, Span<double> output)
    {
        double ss = 0.0;
        foreach (var v in x)
        {
            ss += v * v;
        }

        double inv = 1.0 / Math.Sqrt(ss / x.Length + eps);
        for (int i = 0; i < x.Length; i++)
        {
            output[i] = weight[i] * (x[i] * inv);
        }
    }

    /// <summary>Allocating overload of <see cref="RmsNorm(ReadOnlySpan{double}, ReadOnlySpan{double}, double, Span{double})"/>.</summary>
    public static double[] RmsNorm(ReadOnlySpan<double> x, ReadOnlySpan<double> weight, double eps)
    {
        var y = new double[x.Length];
        RmsNorm(x, weight, eps, y);
        return y;
    }

    /// <summary>torch.nn.LayerNorm: (x - mean) / sqrt(biased_var + eps) * weight + bias.</summary>
    public static void LayerNorm(ReadOnlySpan<double> x, ReadOnlySpan<double> weight, ReadOnlySpan<double> bias, double eps, Span<double> output)
    {
        double mean = 0.0;
        foreach (var v in x)
        {
            mean += v;
        }

        mean /= x.Length;
        double var = 0.0;
        foreach (var v in x)
        {
            var += (v - mean) * (v - mean);
        }

        var /= x.Length; // biased
        double inv = 1.0 / Math.Sqrt(var + eps);
        for (int i = 0; i < x.Length; i++)
        {
            output[i] = (x[i] - mean) * inv * weight[i] + bias[i];
        }
    }

    /// <summary>Allocating overload of LayerNorm.</summary>
    public static double[] LayerNorm(ReadOnlySpan<double> x, ReadOnlySpan<double> weight, ReadOnlySpan<double> bias, double eps)
    {
        var y = new double[x.Length];
        LayerNorm(x, weight, bias, eps, y);
        return y;
    }

    /// <summary>transformers NewGELUActivation ("gelu_new"): 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).</summary>
    public static double GeluNew(double x) => 0.5 * x * (1.0 + Math.Tanh(Sqrt2OverPi * (x + 0.044715 * x * x * x)));

    /// <summary>transformers FastGELUActivation ("gelu_fast"): 0.5 x (1 + tanh(x * 0.7978845608 (1 + 0.044715 x^2))).</summary>
    public static double GeluFast(double x) => 0.5 * x * (1.0 + Math.Tanh(x * 0.7978845608 * (1.0 + 0.044715 * x * x)));

    /// <summary>Exact GELU ("gelu"): x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2)).</summary>
    public static double Gelu(double x) => 0.5 * x * (1.0 + Erf(x / Math.Sqrt(2.0)));

    /// <summary>SiLU / swish: x * sigmoid(x).</summary>
    public static double Silu(double x) => x / (1.0 + Math.Exp(-x));

    /// <summary>
    /// erf(x) = 2/sqrt(pi) * exp(-x^2) * sum_{n>=0} 2^n x^(2n+1) / (1*3*...*(2n+1)) (all terms positive, so no
    /// cancellation); |x| >= 6 returns +-1 (erfc(6) ~ 2e-17).
    /// </summary>
    public static double Erf(double x)
    {
        if (double.IsNaN(x))
        {
            return double.NaN;
        }

        double ax = Math.Abs(x);
        if (ax >= 6.0)
        {
            return Math.Sign(x);
        }

        double term = ax;
        double sum = ax;
        for (int n = 1; n < 500; n++)
        {
            term *= 2.0 * ax * ax / (2 * n + 1);
            sum += term;
            if (term < sum * 1e-17)
            {
                break;
            }
        }

        double r = 2.0 / Math.Sqrt(Math.PI) * Math.Exp(-ax * ax) * sum;
        return x < 0 ? -r : r;
    }

    /// <summary>The transformers ACT2FN entries used by the supported models.</summary>
    public static Func<double, double> Activation(string name) => name switch
    {
        "silu" or "swish" => Silu,
        "gelu_new" or "gelu_pytorch_tanh" => GeluNew,
        "gelu_fast" => GeluFast,
        "gelu" => Gelu,
        "relu" => x => x > 0 ? x : 0.0,
        "quick_gelu" => x => x / (1.0 + Math.Exp(-1.702 * x)),
        _ => throw new NotSupportedException($"Activation '{name}' is not supported by the reference model."),
    };

    /// <summary>
    /// Default RoPE inverse frequencies: inv_freq[i] = 1 / theta^(2i/dim), i = 0..dim/2-1
    /// (modeling_rope_utils._compute_default_rope_parameters).
    /// </summary>
    public static double[] DefaultInverseFrequencies(int dim, double theta)
    {
        if (dim <= 0 || dim % 2 != 0)
        {
            throw new ArgumentException($"RoPE dim must be positive and even, got {dim}.");
        }

        var inv = new double[dim / 2];
        for (int i = 0; i < inv.Length; i++)
        {
            inv[i] = 1.0 / Math.Pow(theta, (2.0 * i) / dim);
        }

        return inv;
    }

    /// <summary>
    /// modeling_rope_utils._compute_llama3_parameters applied to default inverse frequencies:
    /// wavelen = 2 pi / inv; wavelen &lt; old/high_ff: keep; wavelen &gt; old/low_ff: inv/factor;
    /// otherwise smooth = (old/wavelen - low_ff)/(high_ff - low_ff), inv' = (1-smooth) inv/factor + smooth inv.
    /// </summary>
    public static double[] Llama3InverseFrequencies(double[] inverseFrequencies, double factor, double lowFreqFactor, double highFreqFactor, double originalMaxPositionEmbeddings)
    {
        double lowFreqWavelen = originalMaxPositionEmbeddings / lowFreqFactor;
        double highFreqWavelen = originalMaxPositionEmbeddings / highFreqFactor;
        var result = new double[inverseFrequencies.Length];
        for (int i = 0; i < result.Length; i++)
        {
            double inv = inverseFrequencies[i];
            double wavelen = 2.0 * Math.PI / inv;
            if (wavelen < highFreqWavelen)
            {
                result[i] = inv;
            }
            else if (wavelen > lowFreqWavelen)
            {
                result[i] = inv / factor;
            }
            else
            {
                double smooth = (originalMaxPositionEmbeddings / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
                result[i] = (1.0 - smooth) * inv / factor + smooth * inv;
            }
        }

        return result;
    }

    /// <summary>Inverse frequencies for a head of <paramref name="dim"/> under <paramref name="spec"/>.</summary>
    public static double[] RopeInverseFrequencies(int dim, RopeSpec spec)
    {
        var inv = DefaultInverseFrequencies(dim, spec.Theta);
        switch (spec.Type)
        {
            case "default":
                return inv;
            case "linear":
                // _compute_linear_scaling_rope_parameters: inv_freq /= factor  (== positions / factor).
                return inv.Select(v => v / spec.Factor).ToArray();
            case "llama3":
                return Llama3InverseFrequencies(inv, spec.Factor, spec.LowFreqFactor, spec.HighFreqFactor, spec.OriginalMaxPositionEmbeddings);
            default:
                throw new NotSupportedException($"RoPE type '{spec.Type}' is not supported by the reference model (default, linear, llama3 only).");
        }
    }

    /// <summary>
    /// Rotate-half RoPE in place on one head vector (length 2h): with angle_i = position * inv_freq[i] and
    /// (x1, x2) = (v[i], v[i+h]): v[i] = x1 cos - x2 sin, v[i+h] = x2 cos + x1 sin
    /// (apply_rotary_pos_emb: q*cos + rotate_half(q)*sin, rotate_half(q) = cat(-q2, q1), cos = cat(cos, cos)).
    /// </summary>
    public static void ApplyRope(Span<double> head, double position, ReadOnlySpan<double> inverseFrequencies)
    {
        int half = head.Length / 2;
        if (half != inverseFrequencies.Length)
        {
            throw new ArgumentException($"RoPE: head of {head.Length} needs {head.Length / 2} frequencies, got {inverseFrequencies.Length}.");
        }

        for (int i = 0; i < half; i++)
        {
            double angle = position * inverseFrequencies[i];
            ApplyRotation(head, i, half, Math.Cos(angle), Math.Sin(angle));
        }
    }

    internal static void ApplyRotation(Span<double> head, int i, int half, double cos, double sin)
    {
        double x1 = head[i];
        double x2 = head[i + half];
        head[i] = x1 * cos - x2 * sin;
        head[i + half] = x2 * cos + x1 * sin;
    }
}
