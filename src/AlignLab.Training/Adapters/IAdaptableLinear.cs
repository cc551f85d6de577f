namespace AlignLab.Training.Adapters;

/// <summary>A linear layer that can carry a LoRA adapter.</summary>
public interface IAdaptableLinear
{
    LoraAdapter? Lora { get; }
    void AttachLora(int rank, double alpha, double dropout);
    /// <summary>Folds the adapter's update into the base weight and switches the adapter off.</summary>
    void MergeLora();
}
