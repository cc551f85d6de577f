using AlignLab.Data.Construction;
using AlignLab.Data.Datasets;
using AlignLab.Data.Metrics;
using AlignLab.Data.Runs;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace AlignLab.Data;

public static class DataServiceCollectionExtensions
{
    /// <summary>The data source for the platform's database and the repositories over it.</summary>
    public static IServiceCollection AddAlignLabData(this IServiceCollection services, string connectionString)
    {
        services.AddSingleton(_ => new NpgsqlDataSourceBuilder(connectionString).Build());
        services.AddSingleton<RunRepository>();
        services.AddSingleton<SweepRepository>();
        services.AddSingleton<Workers.WorkerDeviceRepository>();
        services.AddSingleton<Accounts.AccountRepository>();
        services.AddSingleton<MetricRepository>();
        services.AddSingleton<DatasetRepository>();
        services.AddSingleton<Core.Datasets.IDatasetStore>(sp => sp.GetRequiredService<DatasetRepository>());
        services.AddSingleton<Core.Methods.IDatasetReferenceCheck, DatasetReferenceCheck>();
        services.AddSingleton<ConstructionRepository>();
        services.AddSingleton<Core.Construction.IConstructionStore>(sp => sp.GetRequiredService<ConstructionRepository>());
        return services;
    }
}
