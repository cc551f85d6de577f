using AlignLab.Core.Demo;
using AlignLab.Core.Methods;
using AlignLab.Core.Models;
using AlignLab.Core.Previews;
using AlignLab.Core.RewardModeling;
using AlignLab.Training.Demo;
using AlignLab.Training.Rewards;
using Microsoft.Extensions.DependencyInjection;

namespace AlignLab.Training.Registry;

/// <summary>What this project offers the rest of the platform about models, behind Core's interfaces: the catalog of model
/// folders and run exports, the models kept loaded for previews, reward scoring, and the demo model's writer. The web
/// uses models only through these.</summary>
public static class ModelServices
{
    public static IServiceCollection AddAlignLabModels(this IServiceCollection services, IReadOnlyList<string> roots, string artifactRoot)
    {
        services.AddSingleton(new ModelRegistry(roots, Path.GetFullPath(artifactRoot)));
        services.AddSingleton<IModelCatalog>(sp => sp.GetRequiredService<ModelRegistry>());
        services.AddSingleton<IModelReferenceCheck>(sp => sp.GetRequiredService<ModelRegistry>());
        services.AddSingleton<LoadedModels>();
        services.AddSingleton<IPreviewModels>(sp => sp.GetRequiredService<LoadedModels>());
        services.AddSingleton<IRewardScorer, RewardScorer>();
        services.AddSingleton<IDemoModelWriter, DemoModelWriter>();
        return services;
    }

    private sealed class DemoModelWriter : IDemoModelWriter
    {
        public string Ensure(string folder) => DemoModel.Ensure(folder);
    }
}
