namespace AlignLab.Training.Weights;

/// <summary>A weights file is truncated, corrupt, or does not fit the model; the message names the file and,
/// where there is one, the tensor.</summary>
public sealed class WeightsFormatException(string message) : Exception(message);
