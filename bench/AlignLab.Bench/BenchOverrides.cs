namespace AlignLab.Bench;

/// <summary>Run parameters that a GPU session sets for every method run of the benchmarks (bench/gpu-session.sh): fused_adamw
/// off when the session's first probe of libtorch's fused AdamW kernel on the device did not complete, so that the
/// measurements go on with TorchSharp's AdamW instead of failing one after the other.</summary>
public static class BenchOverrides
{
    public const string FusedAdamWVariable = "ALIGNLAB_BENCH_FUSED_ADAMW";

    /// <summary>JSON members appended to a run's parameters ("" when none), unless the run sets them itself.</summary>
    public static string For(string runParameters) =>
        Environment.GetEnvironmentVariable(FusedAdamWVariable) == "false" && !runParameters.Contains("\"fused_adamw\"") ? ",\"fused_adamw\":false" : "";
}
