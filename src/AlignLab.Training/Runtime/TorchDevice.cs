using TorchSharp;

namespace AlignLab.Training.Runtime;

/// <summary>Parses the configured device name ("cpu", "cuda", "cuda:N") into a TorchSharp device,
/// failing with a message that says what is missing when CUDA is asked for but not present.</summary>
public static class TorchDevice
{
    public static torch.Device Parse(string name)
    {
        var trimmed = (name ?? "").Trim().ToLowerInvariant();
        if (trimmed is "" or "cpu") return torch.CPU;
        if (trimmed == "cuda" || trimmed.StartsWith("cuda:", StringComparison.Ordinal))
        {
            if (!torch.cuda.is_available())
                throw new InvalidOperationException(
                    $"Device '{name}' requested but CUDA is not available (this build uses the CPU libtorch, or no GPU is visible).");
            if (trimmed == "cuda") return new torch.Device(DeviceType.CUDA, 0);
            if (!int.TryParse(trimmed.AsSpan(5), out var index) || index < 0 || index >= torch.cuda.device_count())
                throw new ArgumentException($"Device '{name}': there are {torch.cuda.device_count()} CUDA devices.");
            return new torch.Device(DeviceType.CUDA, index);
        }
        throw new ArgumentException($"Device '{name}' is not one of cpu, cuda, cuda:N.");
    }
}
