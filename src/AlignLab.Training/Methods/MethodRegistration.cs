using AlignLab.Core.Methods;
using AlignLab.Core.Methods.Smoke;
using AlignLab.Training.Methods.Construction;
using AlignLab.Training.Methods.Evaluation;
using AlignLab.Training.Methods.Figa;
using AlignLab.Training.Methods.Ppo;
using AlignLab.Training.Methods.R3;
using AlignLab.Training.Methods.RewardModeling;
using AlignLab.Training.Methods.Sft;
using Microsoft.Extensions.DependencyInjection;

namespace AlignLab.Training.Methods;

/// <summary>The methods a run can name. Adding a method is a file in Methods/ and a line here; the job
/// infrastructure finds them through <see cref="ITrainingMethod"/> and never names one.</summary>
public static class MethodRegistration
{
    public static IServiceCollection AddAlignLabMethods(this IServiceCollection services)
    {
        services.AddSingleton<ITrainingMethod, SmokeMethod>();
        services.AddSingleton<ITrainingMethod, SftMethod>();
        services.AddSingleton<ITrainingMethod, FigaMethod>();
        services.AddSingleton<ITrainingMethod, RewardModelMethod>();
        services.AddSingleton<ITrainingMethod, PpoMethod>();
        services.AddSingleton<ITrainingMethod, R3PpoMethod>();
        services.AddSingleton<ITrainingMethod, QueryTypeClassificationMethod>();
        services.AddSingleton<ITrainingMethod, SpaConstructionMethod>();
        services.AddSingleton<ITrainingMethod, EvaluateMethod>();
        return services;
    }
}
