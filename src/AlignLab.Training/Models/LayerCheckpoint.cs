using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.autograd;

namespace AlignLab.Training.Models;

/// <summary>Activation checkpointing of one decoder layer: the forward pass keeps only the layer's input, and the backward
/// pass runs the layer again with gradients on and back-propagates through that second run (its parameters' gradients
/// accumulate as usual). Activation memory falls from every layer's intermediate values to one hidden state per layer plus
/// one layer's values, for one more forward pass of compute.
/// Dropout draws the same masks in both runs: on the CPU the random generator's state is restored for the second run
/// and put back after it; on CUDA, whose generator state TorchSharp does not expose, each checkpointed layer reseeds the
/// CUDA generator with a seed drawn from the CPU generator, and reseeds it with the same seed for the second run.
/// The second run happens inside libtorch's backward pass, where a .NET exception would end the process: an error there
/// (out of memory, say) is handed to <c>failed</c> and the layer's input gets a zero gradient; the caller of backward
/// rethrows it (<see cref="CausalLM.TakeCheckpointError"/>).</summary>
internal sealed class LayerCheckpoint : SingleTensorFunction<LayerCheckpoint>
{
    public override string Name => nameof(LayerCheckpoint);

    /// <summary><paramref name="layer"/> applied to <paramref name="x"/>, checkpointed.</summary>
    /// <param name="failed">Told of an error of the second run.</param>
    public static Tensor Run(Func<Tensor, Tensor> layer, Tensor x, Action<Exception> failed)
    {
        // The graph must reach the layer even when nothing below it trains (LoRA over frozen embeddings).
        if (!x.requires_grad) x = x.detach().requires_grad_(true);
        return apply(x, layer, failed);
    }

    public override Tensor forward(AutogradContext ctx, params object[] vars)
    {
        var (x, layer) = ((Tensor)vars[0], (Func<Tensor, Tensor>)vars[1]);
        ctx.save_for_backward([x]);
        ctx.save_data("layer", layer);
        ctx.save_data("failed", vars[2]);
        ctx.save_data("random", RandomState.Capture(x.device));
        return layer(x);
    }

    /// <returns>One gradient per argument of <see cref="Run"/>'s apply: the input's, none for the layer and the callback.</returns>
    public override List<Tensor> backward(AutogradContext ctx, Tensor gradOutput)
    {
        var x = ctx.get_saved_variables()[0];
        try
        {
            var layer = (Func<Tensor, Tensor>)ctx.get_data("layer");
            using var replay = ((RandomState)ctx.get_data("random")).Replay();
            using var gradients = enable_grad();
            var input = x.detach().requires_grad_(true);
            var output = layer(input);
            autograd.backward([output], [gradOutput]);
            return [input.grad!, null!, null!];
        }
        catch (Exception e)
        {
            ((Action<Exception>)ctx.get_data("failed"))(e);
            return [zeros_like(x), null!, null!];
        }
    }

    /// <summary>What makes the second run draw the first run's dropout masks.</summary>
    private sealed class RandomState
    {
        private readonly Tensor? _cpuState;
        private readonly long _cudaSeed;

        private RandomState(Tensor? cpuState, long cudaSeed) => (_cpuState, _cudaSeed) = (cpuState, cudaSeed);

        public static RandomState Capture(Device device)
        {
            if (device.type != DeviceType.CUDA) return new RandomState(random.get_rng_state().DetachFromDisposeScope(), 0);
            var seed = randint(long.MaxValue, [1], dtype: ScalarType.Int64).item<long>();
            cuda.manual_seed(seed);
            return new RandomState(null, seed);
        }

        /// <summary>Sets the generator as it was at capture; disposing puts the CPU generator back as it was before.</summary>
        public IDisposable Replay()
        {
            if (_cpuState is null)
            {
                cuda.manual_seed(_cudaSeed);
                return new Restore(null);
            }
            var current = random.get_rng_state().DetachFromDisposeScope();
            random.set_rng_state(_cpuState);
            return new Restore(current);
        }

        private sealed class Restore(Tensor? state) : IDisposable
        {
            public void Dispose()
            {
                if (state is null) return;
                random.set_rng_state(state);
                state.Dispose();
            }
        }
    }
}
