namespace AlignLab.Training.Tests;

/// <summary>Numbers equal within an absolute tolerance, for comparing sequences of them (Assert.Equal with a comparer).</summary>
internal sealed class Tolerance(double tolerance) : IEqualityComparer<double>
{
    public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

    public int GetHashCode(double value) => 0;
}
