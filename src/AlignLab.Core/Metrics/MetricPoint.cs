namespace AlignLab.Core.Metrics;

/// <summary>One value of one named metric at one training step. (run, step, name) is unique.</summary>
public readonly record struct MetricPoint(long Step, string Name, double Value, DateTimeOffset Time);
