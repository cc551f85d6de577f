using System.Runtime.InteropServices;

namespace AlignLab.Training.Runtime;

/// <summary>glibc's allocator keeps memory that native code freed (libtorch's CPU tensors, the buffers of a checkpoint
/// being written) in per-thread arenas, and a checkpoint written from a thread-pool thread leaves its arena at its high
/// mark: the process's resident set steps up after a checkpoint and stays there. <see cref="Trim"/> hands such free
/// memory back to the system (malloc_trim); elsewhere than glibc it does nothing.</summary>
public static class NativeHeap
{
    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);

    private static bool _unavailable = !OperatingSystem.IsLinux();

    public static void Trim()
    {
        if (_unavailable) return;
        try { MallocTrim(0); }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { _unavailable = true; }
    }
}
