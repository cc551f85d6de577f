using AlignLab.Core.Construction;
using AlignLab.Core.Evaluation;
using AlignLab.Core.Figa;
using AlignLab.Core.Methods;
using AlignLab.Core.R3;
using AlignLab.Core.Runs;
using AlignLab.Data.Embedded;
using AlignLab.Jobs.ChatCompletions;
using AlignLab.Jobs.Execution;
using AlignLab.Jobs.Launching;
using AlignLab.Training.Methods;
using AlignLab.Training.Registry;
using Hangfire;
using Hangfire.PostgreSql;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AlignLab.Jobs.Hosting;

public static class JobsServiceCollectionExtensions
{
    /// <summary>Methods, Hangfire storage and client, and what a job needs to execute runs. Every process
    /// (web node or worker) calls this; <see cref="AddAlignLabJobServer"/> adds the server that executes.</summary>
    public static IServiceCollection AddAlignLabJobs(this IServiceCollection services, IConfiguration configuration,
        string connectionString)
    {
        var jobs = configuration.GetSection(JobsOptions.Section).Get<JobsOptions>() ?? new JobsOptions();
        services.Configure<JobsOptions>(configuration.GetSection(JobsOptions.Section));
        services.Configure<MetricsOptions>(configuration.GetSection(MetricsOptions.Section));

        var modelRoots = configuration.GetSection(ModelsOptions.Section).Get<ModelsOptions>()?.Roots is { Length: > 0 } roots
            ? roots
            : [Path.Combine(EmbeddedRoot(configuration), "models")];
        var artifactRoot = configuration[$"{ArtifactsOptions.Section}:Root"];
        if (string.IsNullOrWhiteSpace(artifactRoot)) artifactRoot = Path.Combine(EmbeddedRoot(configuration), "artifacts");
        services.AddAlignLabModels(modelRoots, artifactRoot);
        services.AddSingleton<LocalNode>();
        services.Configure<ChatCompletionsOptions>(configuration.GetSection(ChatCompletionsOptions.Section));
        services.AddSingleton<ChatCompletionsClient>();
        services.AddSingleton<IResponseReviser, ChatCompletionsReviser>();
        services.AddSingleton<ITokenImportanceAnnotator, ChatCompletionsTokenImportance>();
        services.AddSingleton<IPairwiseJudge, ChatCompletionsPairwiseJudge>();
        services.AddSingleton<IRelevanceJudge, ChatCompletionsRelevanceJudge>();
        services.AddSingleton<IQueryTypeEndpoint, ChatCompletionsQueryTypeEndpoint>();
        services.AddAlignLabMethods();
        services.AddSingleton<MethodCatalog>();
        services.AddSingleton<RunRequestValidator>();

        var storageOptions = StorageOptions(jobs);
        services.AddSingleton(storageOptions);
        services.AddHangfire(config => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UsePostgreSqlStorage(c => c.UseNpgsqlConnection(connectionString), storageOptions));

        services.AddSingleton(new RunArtifacts(Path.GetFullPath(artifactRoot)));
        services.AddSingleton<RunCancellation>();
        services.AddHostedService(sp => sp.GetRequiredService<RunCancellation>());
        services.AddTransient<RunJob>();
        services.AddSingleton<RunLauncher>();
        return services;
    }

    /// <summary>A Hangfire server taking jobs from the configured queues.</summary>
    public static IServiceCollection AddAlignLabJobServer(this IServiceCollection services, IConfiguration configuration)
    {
        var jobs = configuration.GetSection(JobsOptions.Section).Get<JobsOptions>() ?? new JobsOptions();
        var name = string.IsNullOrWhiteSpace(jobs.ServerName) ? $"{Environment.MachineName}:{Environment.ProcessId}" : jobs.ServerName;
        // Binding appends configured queues to the default array: each once, in order.
        var queues = jobs.Queues.Distinct().ToArray();
        services.AddHangfireServer(server =>
        {
            server.Queues = queues;
            server.WorkerCount = Math.Max(1, jobs.WorkerCount);
            server.ServerName = name;
            server.ShutdownTimeout = TimeSpan.FromSeconds(20);
        });
        services.AddHostedService(sp => new WorkerDevicesPublisher(sp.GetRequiredService<Data.Workers.WorkerDeviceRepository>(), name, queues,
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<WorkerDevicesPublisher>>()));
        return services;
    }

    private static string EmbeddedRoot(IConfiguration configuration) =>
        (configuration.GetSection(EmbeddedPostgresOptions.Section).Get<EmbeddedPostgresOptions>() ?? new()).ResolveRoot();

    private static PostgreSqlStorageOptions StorageOptions(JobsOptions jobs) => new()
    {
        SchemaName = "hangfire",
        PrepareSchemaIfNecessary = true,
        // Workers LISTEN for enqueue notifications, so a job starts at once instead of at the next poll;
        // the poll interval only bounds the wait when a notification is lost.
        EnableLongPolling = true,
        QueuePollInterval = TimeSpan.FromSeconds(Math.Max(1, jobs.QueuePollIntervalSeconds)),
        // A live server keeps extending its fetched jobs; a killed one's job reappears after the timeout.
        UseSlidingInvisibilityTimeout = true,
        InvisibilityTimeout = TimeSpan.FromSeconds(Math.Max(5, jobs.InvisibilityTimeoutSeconds)),
        AllowUnsafeValues = true,
    };
}
