using AlignLab.Testing.Reference;

namespace AlignLab.Training.Tests.Reference;

/// <summary>
/// Building blocks against values computed by hand (the trigonometric / tanh / erf constants are standard values,
/// written out as literals; the arithmetic is spelled out in the comments).
/// </summary>
public class ReferenceMathTests
{
    private const double Tol = 1e-12;

    [Fact]
    public void Rope_FourDimVector_AtPosition2_Theta10000()
    {
        // dim 4, theta 10000: inv_freq = [10000^(0/4), 10000^(-2/4)] = [1, 0.01]; position 2 -> angles [2, 0.02].
        // rotate-half pairs (v0, v2) by 2 rad and (v1, v3) by 0.02 rad:
        //   out0 = v0 cos2 - v2 sin2, out2 = v2 cos2 + v0 sin2, out1 = v1 cos.02 - v3 sin.02, out3 = v3 cos.02 + v1 sin.02
        const double cos2 = -0.4161468365471424, sin2 = 0.9092974268256817;
        const double cos002 = 0.9998000066665778, sin002 = 0.01999866669333308;
        var v = new double[] { 1, 2, 3, 4 };
        var inv = ReferenceMath.DefaultInverseFrequencies(4, 10000);
        Assert.Equal(1.0, inv[0], Tol);
        Assert.Equal(0.01, inv[1], Tol);

        ReferenceMath.ApplyRope(v, 2, inv);

        Assert.Equal((1 * cos2) - (3 * sin2), v[0], Tol); // -3.1440391170241875
        Assert.Equal((2 * cos002) - (4 * sin002), v[1], Tol); // 1.9196053465598233
        Assert.Equal((3 * cos2) + (1 * sin2), v[2], Tol); // -0.33914308281574557
        Assert.Equal((4 * cos002) + (2 * sin002), v[3], Tol); // 4.039197360052977
        Assert.Equal(-3.1440391170241875, v[0], Tol);
        Assert.Equal(4.039197360052977, v[3], Tol);
    }

    [Fact]
    public void Rope_AtPositionZero_IsIdentity()
    {
        var v = new double[] { 0.3, -1.2, 2.5, 7 };
        ReferenceMath.ApplyRope(v, 0, ReferenceMath.DefaultInverseFrequencies(4, 500000));
        Assert.Equal(new[] { 0.3, -1.2, 2.5, 7 }, v);
    }

    [Fact]
    public void RmsNorm_HandComputed()
    {
        // x = [1, 2, 3, 4]: mean(x^2) = 30/4 = 7.5; inv = 1/sqrt(7.5 + 1e-6); y = w * x * inv.
        var x = new double[] { 1, 2, 3, 4 };
        var w = new double[] { 1, 1, 2, 0.5 };
        var y = ReferenceMath.RmsNorm(x, w, 1e-6);
        double inv = 1.0 / Math.Sqrt(7.500001);
        Assert.Equal(1 * inv, y[0], Tol);
        Assert.Equal(2 * inv, y[1], Tol);
        Assert.Equal(6 * inv, y[2], Tol);
        Assert.Equal(2 * inv, y[3], Tol);
        Assert.Equal(0.3651483473268884, y[0], Tol); // 1/sqrt(7.500001)
    }

    [Fact]
    public void LayerNorm_UsesBiasedVariance()
    {
        // x = [1, 2, 3, 4]: mean 2.5, biased var = (2.25 + 0.25 + 0.25 + 2.25)/4 = 1.25 (unbiased would be 5/3).
        var x = new double[] { 1, 2, 3, 4 };
        var y = ReferenceMath.LayerNorm(x, new double[] { 1, 1, 1, 2 }, new double[] { 0, 0, 0.5, 0 }, 1e-5);
        double inv = 1.0 / Math.Sqrt(1.25 + 1e-5);
        Assert.Equal(-1.5 * inv, y[0], Tol);
        Assert.Equal(-0.5 * inv, y[1], Tol);
        Assert.Equal((0.5 * inv) + 0.5, y[2], Tol);
        Assert.Equal(2 * 1.5 * inv, y[3], Tol);
    }

    [Theory]
    // gelu_new(x) = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))); e.g. x = 1: tanh(0.7978845608 * 1.044715)
    // = tanh(0.833561) = 0.6823839812, so 0.5 * 1.6823839812 = 0.8411919906.
    [InlineData(0.0, 0.0)]
    [InlineData(1.0, 0.8411919906082768)]
    [InlineData(-1.0, -0.15880800939172324)]
    [InlineData(2.0, 1.954597694087775)]
    [InlineData(-3.0, -0.0036373920817729943)]
    [InlineData(0.5, 0.34571400982514394)]
    public void GeluNew_AtPoints(double x, double expected)
    {
        Assert.Equal(expected, ReferenceMath.GeluNew(x), Tol);
        Assert.Equal(expected, ReferenceMath.Activation("gelu_new")(x), Tol);
    }

    [Theory]
    [InlineData(0.5, 0.5204998778130465)]
    [InlineData(1.0, 0.8427007929497149)]
    [InlineData(2.0, 0.9953222650189527)]
    [InlineData(-1.5, -0.9661051464753108)]
    [InlineData(3.5, 0.9999992569016276)]
    public void Erf_MatchesTabulatedValues(double x, double expected) =>
        Assert.Equal(expected, ReferenceMath.Erf(x), 1e-14);

    [Fact]
    public void ExactGelu_And_Silu()
    {
        // gelu(1) = 0.5 (1 + erf(1/sqrt2)) = 0.8413447460685429; gelu(-2) = -2 * Phi(-2) = -0.04550026389635842.
        Assert.Equal(0.8413447460685429, ReferenceMath.Gelu(1), Tol);
        Assert.Equal(-0.04550026389635842, ReferenceMath.Gelu(-2), Tol);
        // silu(x) = x / (1 + e^-x); silu(1) = 1 / (1 + 0.36787944117144233) = 0.7310585786300049.
        Assert.Equal(0.7310585786300049, ReferenceMath.Silu(1), Tol);
        Assert.Equal(0.0, ReferenceMath.Silu(0), Tol);
    }

    [Fact]
    public void Llama3InverseFrequencies_AllThreeBands()
    {
        // head_dim 8, theta 10000: inv = 10000^(-i/4) = [1, 0.1, 0.01, 0.001],
        // wavelen = 2 pi / inv = [6.283, 62.83, 628.3, 6283.2].
        // factor 8, low_freq_factor 1, high_freq_factor 4, original_max_position_embeddings 1024:
        //   low_freq_wavelen = 1024/1 = 1024, high_freq_wavelen = 1024/4 = 256.
        //   6.28, 62.8 < 256        -> unchanged: 1, 0.1
        //   6283 > 1024             -> inv / factor = 0.001 / 8 = 0.000125
        //   256 <= 628.3 <= 1024    -> smooth = (1024 / 628.3185 - 1) / (4 - 1) = (1.629747 - 1) / 3 = 0.2099155
        //                              inv' = (1 - smooth) * 0.01 / 8 + smooth * 0.01 = 0.01 (0.125 + 0.875 smooth)
        //                                   = 0.01 * 0.3086761 = 0.003086761
        var spec = new RopeSpec("llama3", 10000, Factor: 8, LowFreqFactor: 1, HighFreqFactor: 4, OriginalMaxPositionEmbeddings: 1024);
        var inv = ReferenceMath.RopeInverseFrequencies(8, spec);
        Assert.Equal(4, inv.Length);
        Assert.Equal(1.0, inv[0], Tol);
        Assert.Equal(0.1, inv[1], Tol);
        double smooth = ((1024 / (2 * Math.PI / 0.01)) - 1) / 3;
        Assert.Equal(0.20991553908700275, smooth, Tol);
        Assert.Equal(0.01 * (0.125 + (0.875 * smooth)), inv[2], Tol);
        Assert.Equal(0.003086760967011274, inv[2], Tol);
        Assert.Equal(0.000125, inv[3], Tol);
    }

    [Fact]
    public void LinearScaling_DividesFrequencies_EquivalentToDividingPositions()
    {
        var inv = ReferenceMath.RopeInverseFrequencies(4, new RopeSpec("linear", 10000, Factor: 2));
        Assert.Equal(0.5, inv[0], Tol);
        Assert.Equal(0.005, inv[1], Tol);

        // position 4 with factor 2 == position 2 unscaled.
        var a = new double[] { 1, 2, 3, 4 };
        var b = new double[] { 1, 2, 3, 4 };
        ReferenceMath.ApplyRope(a, 4, inv);
        ReferenceMath.ApplyRope(b, 2, ReferenceMath.DefaultInverseFrequencies(4, 10000));
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(b[i], a[i], Tol);
        }
    }

    [Theory]
    [InlineData("yarn")]
    [InlineData("dynamic")]
    [InlineData("longrope")]
    public void UnsupportedRopeType_Throws_NamingIt(string type)
    {
        var ex = Assert.Throws<NotSupportedException>(() => ReferenceMath.RopeInverseFrequencies(4, new RopeSpec(type, 10000, Factor: 2)));
        Assert.Contains(type, ex.Message);
    }

    [Fact]
    public void LogSoftmax_HandComputed()
    {
        // logits [0, ln 3]: softmax = [1/4, 3/4]; huge offset must not overflow (max subtraction).
        var y = ReferenceMath.LogSoftmax(new[] { 1000.0, 1000.0 + Math.Log(3) });
        Assert.Equal(Math.Log(0.25), y[0], Tol);
        Assert.Equal(Math.Log(0.75), y[1], Tol);
    }
}
