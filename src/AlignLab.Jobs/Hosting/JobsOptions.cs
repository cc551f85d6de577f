namespace AlignLab.Jobs.Hosting;

/// <summary>Section AlignLab:Jobs: where and how jobs run.</summary>
public sealed class JobsOptions
{
    public const string Section = "AlignLab:Jobs";

    /// <summary>Whether the web app runs an in-process Hangfire server (the embedded default). Switch off when
    /// separate AlignLab.Worker processes do the work.</summary>
    public bool RunServer { get; set; } = true;

    /// <summary>Queues this process's server takes jobs from, in priority order.</summary>
    public string[] Queues { get; set; } = ["gpu", "cpu", "default"];

    /// <summary>Jobs run at once by this process's server. One training job per GPU.</summary>
    public int WorkerCount { get; set; } = 2;

    /// <summary>A fetched job whose server stopped heart-beating becomes visible to other servers after
    /// this long (sliding: a live server keeps extending it). It is how a killed worker's run resumes.</summary>
    public int InvisibilityTimeoutSeconds { get; set; } = 120;

    /// <summary>Upper bound of the wait for a newly enqueued job when a notification is lost.</summary>
    public int QueuePollIntervalSeconds { get; set; } = 5;

    /// <summary>Server name shown in the Hangfire dashboard; default machine name + process id.</summary>
    public string? ServerName { get; set; }
}
