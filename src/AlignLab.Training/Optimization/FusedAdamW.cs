using System.Runtime.InteropServices;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AlignLab.Training.Optimization;

/// <summary>TorchSharp's AdamW step through libtorch's multi-tensor kernel, <c>torch._fused_adamw_</c> (what
/// <c>torch.optim.AdamW(fused=True)</c> and transformers' default optimizer <c>adamw_torch_fused</c> call): one pass over
/// each parameter's values, where TorchSharp's loop runs about eight operations per parameter, each a pass over its values
/// (a kernel launch each on a GPU). The kernel updates the optimizer's own state (its moments and step counts), so
/// checkpoints, resumption and the learning-rate schedule are those of the TorchSharp optimizer; the update is AdamW's
/// up to float rounding (the kernel evaluates it in one expression).
/// <para>TorchSharp does not bind the kernel: it is called at libtorch's C++ entry point
/// (<c>at::_ops::_fused_adamw_::call</c>, found by its mangled name in the libtorch_cpu that TorchSharp loaded, CPU and
/// CUDA builds alike). A C++ error cannot cross into .NET, so every condition the kernel checks is checked here first;
/// where one does not hold (a gradient or moment not in its parameter's dtype and layout, parameters of two dtypes or on
/// two devices, amsgrad) or the entry point is missing, <see cref="TryStep"/> does nothing and says so, and the caller takes
/// TorchSharp's step.</para></summary>
public static unsafe class FusedAdamW
{
    /// <summary>at::_ops::_fused_adamw_::call(TensorList self, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, state_steps,
    /// double lr, beta1, beta2, weight_decay, eps, bool amsgrad, bool maximize, const optional&lt;Tensor&gt;&amp; grad_scale,
    /// const optional&lt;Tensor&gt;&amp; found_inf): the op's schema has been the same from PyTorch 2.0 on.</summary>
    private const string EntryPoint =
        "_ZN2at4_ops13_fused_adamw_4callEN3c108ArrayRefINS_6TensorEEES5_S5_S5_S5_S5_dddddbbRKSt8optionalIS4_ES9_";

    /// <summary>c10::ArrayRef&lt;at::Tensor&gt;: a pointer to at::Tensor values (each one TensorImpl pointer) and a count,
    /// passed by value.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private readonly struct TensorList(IntPtr data, nuint count)
    {
        public readonly IntPtr Data = data;
        public readonly nuint Count = count;
    }

    private static readonly IntPtr Kernel = Resolve();

    /// <summary>An empty std::optional&lt;at::Tensor&gt; (its value, then its flag: all zeros), for grad_scale and found_inf.</summary>
    private static readonly IntPtr NoTensor = (IntPtr)NativeMemory.AllocZeroed(16);

    /// <summary>Whether the loaded libtorch has the kernel.</summary>
    public static bool Available => Kernel != IntPtr.Zero;

    private static IntPtr Resolve()
    {
        // TorchSharp loads libtorch_cpu before any tensor exists; by its file name, dlopen finds the copy already loaded.
        _ = empty(0);
        return NativeLibrary.TryLoad("libtorch_cpu.so", out var library) && NativeLibrary.TryGetExport(library, EntryPoint, out var address)
            ? address
            : IntPtr.Zero;
    }

    /// <summary>One AdamW step of <paramref name="optimizer"/> over the parameters that have gradients, group by group, as
    /// its <c>step()</c> would make it. False when the kernel is missing or a condition of it does not hold: then nothing
    /// was changed.</summary>
    public static bool TryStep(AdamW optimizer)
    {
        if (!Available) return false;
        using var scope = NewDisposeScope();
        var states = optimizer.state_dict().State;
        var groups = new List<(AdamW.Options Options, List<(Parameter Parameter, Tensor Gradient, AdamW.State State)> Members)>();
        // One device and one dtype for all (the GPU kernel reads every list as its first tensor's type).
        var (device, dtype) = ((Device?)null, (ScalarType?)null);
        var k = 0;
        foreach (var group in optimizer.ParamGroups.Cast<AdamW.ParamGroup>())
        {
            if (group.Options is not AdamW.Options options || options.amsgrad == true) return false;
            var members = new List<(Parameter, Tensor, AdamW.State)>();
            foreach (var parameter in group.Parameters)
            {
                if (states[k++] is not AdamW.State state) return false;
                if (parameter.grad is not { } gradient) continue;
                (device, dtype) = (device ?? parameter.device, dtype ?? parameter.dtype);
                if (!Fits(parameter, gradient, state, device, dtype.Value)) return false;
                members.Add((parameter, gradient, state));
            }
            if (members.Count > 0) groups.Add((options, members));
        }

        using var noGrad = no_grad();
        foreach (var (options, members) in groups)
        {
            // Each parameter's step count after this step, as a float32 scalar on the device (the kernel's bias corrections
            // read it there); parameters of one count share one. Filled on the device: a copy from the host would wait for it.
            var steps = new Dictionary<long, Tensor>();
            foreach (var (_, _, state) in members)
            {
                state.step += 1;
                if (!steps.ContainsKey(state.step)) steps[state.step] = full([], state.step, ScalarType.Float32, device);
            }
            var lists = new IntPtr[5 * members.Count];
            for (int i = 0; i < members.Count; i++)
            {
                var (parameter, gradient, state) = members[i];
                Tensor[] row = [parameter, gradient, state.exp_avg, state.exp_avg_sq, steps[state.step]];
                for (int l = 0; l < row.Length; l++) lists[l * members.Count + i] = Marshal.ReadIntPtr(row[l].Handle);
            }
            fixed (IntPtr* at = lists)
            {
                var (first, count) = ((IntPtr)at, members.Count);
                TensorList List(int l) => new(first + l * count * IntPtr.Size, (nuint)count);
                var kernel = (delegate* unmanaged<TensorList, TensorList, TensorList, TensorList, TensorList, TensorList,
                    double, double, double, double, double, byte, byte, IntPtr, IntPtr, void>)Kernel;
                kernel(List(0), List(1), List(2), List(3), new TensorList(IntPtr.Zero, 0), List(4),
                    options.LearningRate!.Value, options.beta1!.Value, options.beta2!.Value, options.weight_decay!.Value, options.eps!.Value,
                    0, options.maximize == true ? (byte)1 : (byte)0, NoTensor, NoTensor);
            }
            GC.KeepAlive(members);
            GC.KeepAlive(steps);
        }
        return true;
    }

    /// <summary>What the kernel needs of a parameter: its gradient and moments in the step's dtype (a floating one it has a
    /// kernel for), its shape and a dense contiguous layout, on the step's device.</summary>
    private static bool Fits(Parameter parameter, Tensor gradient, AdamW.State state, Device device, ScalarType dtype)
    {
        if (dtype is not (ScalarType.Float32 or ScalarType.BFloat16 or ScalarType.Float16 or ScalarType.Float64)) return false;
        Tensor[] all = [parameter, gradient, state.exp_avg, state.exp_avg_sq];
        return all.All(t => t.dtype == dtype && !t.is_sparse && t.is_contiguous() && t.shape.SequenceEqual(parameter.shape)
                            && t.device_type == device.type && t.device_index == device.index);
    }
}
