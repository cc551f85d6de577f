using System.Text.Json;
using AlignLab.Core.Checkpoints;
using AlignLab.Training.Models;
using AlignLab.Training.Weights;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AlignLab.Training.Methods.Common;

/// <summary>What resuming any fine-tuning run needs: weights (safetensors, HF names), the optimizer's moments, the
/// step reached (which fixes the data position and the learning rate) and the torch RNG state.</summary>
public static class TrainingCheckpoint
{
    private const string Weights = "model.safetensors", Optimizer = "optimizer.bin", State = "state.json";

    private sealed record TrainingState(long Step, string RngState, Dictionary<string, double>? Extra = null);

    /// <param name="masters">With precision bf16-mixed, the fp32 master weights, saved in place of the model's bf16 ones so
    /// that a resumed run continues from them exactly.</param>
    public static Task SaveAsync(ICheckpointStore store, long step, nn.Module model, AdamW optimizer, IReadOnlyDictionary<string, double>? extra = null,
        Optimization.MasterWeights? masters = null) =>
        store.SaveAsync(step, async dir =>
        {
            var weights = model.state_dict();
            foreach (var (name, master) in masters?.Named ?? []) weights[name] = master;
            SafetensorsWriter.Write(Path.Combine(dir, Weights), weights);
            optimizer.save_state_dict(Path.Combine(dir, Optimizer));
            using var rng = random.get_rng_state();
            var state = new TrainingState(step, Convert.ToBase64String(rng.bytes.ToArray()), extra?.ToDictionary());
            await File.WriteAllTextAsync(Path.Combine(dir, State), JsonSerializer.Serialize(state));
        });

    /// <summary>Restores model, optimizer and RNG; returns the step the checkpoint was taken after. A checkpoint
    /// that cannot be read fails the run with its path, rather than silently restarting from zero.</summary>
    public static long Restore(Checkpoint checkpoint, nn.Module model, AdamW optimizer, IDictionary<string, double>? extra = null,
        Optimization.MasterWeights? masters = null)
    {
        try
        {
            var state = JsonSerializer.Deserialize<TrainingState>(File.ReadAllText(Path.Combine(checkpoint.Directory, State)))
                ?? throw new InvalidDataException("empty state");
            if (state.Step != checkpoint.Step) throw new InvalidDataException($"state says step {state.Step}");
            // The same loader as model folders: a missing tensor or a shape mismatch names the tensor.
            var weights = SafetensorsCheckpoint.Open(checkpoint.Directory);
            ModelFolder.LoadWeights(model, weights);
            masters?.Load(weights.Read);
            optimizer.load_state_dict(Path.Combine(checkpoint.Directory, Optimizer));
            using var rng = tensor(Convert.FromBase64String(state.RngState), dtype: ScalarType.Byte);
            random.set_rng_state(rng);
            foreach (var (key, value) in state.Extra ?? []) extra?.Add(key, value);
            return state.Step;
        }
        catch (Exception e) when (e is IOException or JsonException or InvalidDataException or WeightsFormatException or ArgumentException)
        {
            throw new InvalidDataException($"checkpoint at step {checkpoint.Step} ({checkpoint.Directory}) cannot be restored: {e.Message}", e);
        }
    }
}
