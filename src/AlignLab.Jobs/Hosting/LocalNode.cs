using Microsoft.Extensions.Options;

namespace AlignLab.Jobs.Hosting;

/// <summary>What this process can run itself: whether it hosts a job server (the embedded default does) and whether it
/// sees a CUDA device. The wizard asks this instead of probing libtorch from the web app.</summary>
public sealed class LocalNode(IOptions<JobsOptions> jobs)
{
    private readonly Lazy<bool> _hasCuda = new(() => TorchSharp.torch.cuda.is_available());

    public bool RunsJobs => jobs.Value.RunServer;

    public bool HasCuda => _hasCuda.Value;
}
