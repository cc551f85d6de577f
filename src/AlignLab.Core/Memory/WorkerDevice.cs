namespace AlignLab.Core.Memory;

/// <summary>A device a job server runs on ("cpu", "cuda:N") and the memory a run may use there.</summary>
/// <param name="Server">The job server it belongs to; empty for this process's own.</param>
public sealed record WorkerDevice(string Device, long MemoryBytes, string Server = "");
