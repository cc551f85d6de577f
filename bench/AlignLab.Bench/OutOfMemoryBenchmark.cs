using System.Text.Json.Nodes;
using AlignLab.Core.Memory;
using AlignLab.Core.Methods;
using AlignLab.Core.Runs;
using AlignLab.Training.Methods.Figa;
using AlignLab.Training.Models;
using AlignLab.Training.Registry;
using AlignLab.Training.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Bench;

/// <summary>CUDA out of memory, where a worker meets it, on a real GPU (the CPU has no such failure to provoke safely:
/// Linux overcommits, and the process would be killed rather than refused):
/// <list type="number">
/// <item>a FIGA run too large for the device (a micro-batch of 4096 pairs), run as a worker runs it, without the
/// submission check: its failure must be recognised as out of memory and worded for the user;</item>
/// <item>a backward pass that runs out of memory in autograd's own thread: a forward pass, then the device filled with
/// ballast, then backward: the failure must come back to the caller as an exception, not abort the process;</item>
/// <item>after both, in the same process, a FIGA run of 2 steps at a fitting batch must complete.</item>
/// </list>
/// Prints each outcome; exits 1 if one is not as it must be. Arguments: [device (cuda)] [shape (gpt2-small)].</summary>
public static class OutOfMemoryBenchmark
{
    public static async Task RunAsync(string[] args)
    {
        var device = args.Length > 0 ? args[0] : "cuda";
        var shape = args.Length > 1 ? args[1] : "gpt2-small";
        if (!device.StartsWith("cuda", StringComparison.Ordinal)) throw new ArgumentException("the out-of-memory benchmark needs a CUDA device");
        var root = Directory.CreateTempSubdirectory("alignlab-oom-").FullName;
        var folder = BenchShapes.Prepare(root, shape);
        var registry = new ModelRegistry([root]);
        var figa = new FigaMethod(registry);
        var validator = new RunRequestValidator(new MethodCatalog([figa]), registry);
        RunSpec Spec(int pairs, int steps) => validator.Validate(JsonNode.Parse(
            $$$"""{"method":"figa","parameters":{"model":"{{{Path.GetFileName(folder)}}}","device":"{{{device}}}","precision":"fp32","batch_size":{{{pairs}}},"grad_accum":1,"max_steps":{{{steps}}},"checkpoint_every":0,"eval_every":0}}""")).Spec!;
        var failures = 0;

        // 1. A run too large: its estimate first, then what the run does on the device.
        var tooLarge = Spec(4096, 1);
        Console.WriteLine($"1. FIGA, 4096 pairs per micro-batch, fp32: estimate {MemoryEstimate.Format(tooLarge.Memory!.Bytes)} ({tooLarge.Memory.Breakdown})");
        try
        {
            await figa.RunAsync(new BenchRunContext(tooLarge, Path.Combine(root, "too-large")));
            Console.WriteLine("   the run completed: the device held it (no out-of-memory to observe)");
        }
        catch (Exception e)
        {
            var recognised = OutOfMemory.Is(e);
            failures += recognised ? 0 : 1;
            Console.WriteLine($"   failed with {e.GetType().Name}; recognised as out of memory: {recognised}");
            Console.WriteLine($"   the run's error: {OutOfMemory.Describe(e, device, null, null, tooLarge.Memory)}");
        }
        Collect();

        // 2. Out of memory inside backward, in autograd's thread.
        Console.WriteLine("2. A backward pass on a device filled with ballast after the forward pass");
        var ballast = new List<Tensor>();
        try
        {
            using var model = ModelFolder.Load(folder);
            model.to(TorchDevice.Parse(device));
            model.train();
            using var scope = NewDisposeScope();
            var ids = randint(0, model.Config.VocabSize, [64, 256], device: TorchDevice.Parse(device));
            var loss = model.Forward(ids).@float().logsumexp(-1).mean();
            try
            {
                // Chunks of 1 GiB, then of 64 MiB, until nothing more fits (each refusal is an ordinary allocation failure).
                foreach (var chunk in new[] { 1L << 28, 1L << 24 })
                    while (true) ballast.Add(empty(chunk, dtype: ScalarType.Float32, device: TorchDevice.Parse(device)).DetachFromDisposeScope());
            }
            catch (Exception) { }
            Console.WriteLine($"   ballast: {ballast.Count} chunks");
            loss.backward();
            Console.WriteLine("   backward completed: it needed no more memory (no out-of-memory to observe)");
        }
        catch (Exception e)
        {
            var recognised = OutOfMemory.Is(e);
            failures += recognised ? 0 : 1;
            Console.WriteLine($"   backward failed with {e.GetType().Name}, in the caller's thread; recognised as out of memory: {recognised}: " +
                              e.Message.Split('\n')[0]);
        }
        finally
        {
            foreach (var tensor in ballast) tensor.Dispose();
        }
        Collect();

        // 3. The same process then trains.
        try
        {
            var fits = new BenchRunContext(Spec(8, 2), Path.Combine(root, "fits"));
            await figa.RunAsync(fits);
            Console.WriteLine($"3. Afterwards, in the same process, a FIGA run of 2 steps completed: loss {string.Join(", ", fits.Points.Where(p => p.Name == "loss").Select(p => p.Value.ToString("0.000")))}");
        }
        catch (Exception e)
        {
            failures++;
            Console.WriteLine($"3. Afterwards, the FIGA run of 2 steps FAILED: {e.GetType().Name}: {e.Message.Split('\n')[0]}");
        }
        Console.WriteLine(failures == 0 ? "out of memory: as it must be" : $"out of memory: {failures} outcome(s) not as they must be");
        Environment.ExitCode = failures == 0 ? 0 : 1;
    }

    /// <summary>What the worker does after an out-of-memory failure: collect the run's unreachable tensors.</summary>
    private static void Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
    }
}
