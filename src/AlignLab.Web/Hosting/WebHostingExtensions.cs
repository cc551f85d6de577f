using System.Text.Json.Serialization;
using AlignLab.Jobs.Hosting;
using AlignLab.Web.Api;
using AlignLab.Web.Auth;
using AlignLab.Web.Components;
using AlignLab.Web.Health;
using AlignLab.Web.Models;
using AlignLab.Web.Realtime;
using Hangfire;
using MudBlazor.Services;

namespace AlignLab.Web.Hosting;

/// <summary>The web node's services and endpoints; Program.cs only finds the database and calls these.</summary>
public static class WebHostingExtensions
{
    public static IServiceCollection AddAlignLabWeb(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddProblemDetails();
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter());
            o.SerializerOptions.NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals;
        });
        services.AddSignalR().AddJsonProtocol(o =>
        {
            o.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter());
            o.PayloadSerializerOptions.NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals;
        });
        services.AddSingleton<RunEventStream>();
        services.AddSingleton<Constructions.ConstructionService>();
        services.AddSingleton<RewardHacking.RunRewardHacking>();
        services.AddSingleton<Runs.RunSamples>();
        services.AddSingleton<Runs.RunEvaluation>();
        services.AddSingleton<Runs.RunRollouts>();
        services.AddSingleton<Comparisons.ModelTextComparison>();
        services.AddSingleton<Runs.RunCommands>();
        services.AddSingleton<Comparisons.RunComparison>();
        services.AddSingleton<Datasets.DatasetImport>();
        services.AddSingleton<Datasets.DatasetRewards>();
        services.AddHostedService<RunEventForwarder>();
        services.Configure<ModelsOptions>(configuration.GetSection(ModelsOptions.Section));
        services.AddSingleton<DemoModelBootstrap>();
        services.AddHostedService(sp => sp.GetRequiredService<DemoModelBootstrap>());
        services.AddSingleton<DemoPolicyBootstrap>();
        services.AddSingleton<ExportNames>();
        services.AddHostedService(sp => sp.GetRequiredService<DemoPolicyBootstrap>());
        services.AddAlignLabAuth(configuration);
        services.AddAlignLabOpenApi();
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddMudServices();
        return services;
    }

    public static WebApplication MapAlignLab(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        // Static files before routing: the login and set-up pages' stylesheet and icon are served to anonymous visitors
        // before any endpoint (and its fallback authorization policy) is chosen.
        app.UseStaticFiles();
        app.UseRouting();
        app.UseMiddleware<Auth.CrossSiteRequestGuard>();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.UseMiddleware<Api.TextInputGuard>();
        app.UseAntiforgery();
        app.MapStaticAssets().AllowAnonymous();
        app.MapAccountsApi();
        app.MapRunsApi();
        app.MapSweepsApi();
        app.MapArtifactsApi();
        app.MapRewardHackingApi();
        app.MapCompareApi();
        app.MapMethodsApi();
        app.MapModelsApi();
        app.MapPreviewsApi();
        app.MapDatasetsApi();
        app.MapConstructionsApi();
        app.MapHealthApi();
        app.MapAlignLabOpenApi();
        app.MapHub<RunsHub>(RunsHub.Path);
        app.MapHangfireDashboard("/hangfire", new DashboardOptions { Authorization = [new AdminDashboardAuthorization()] })
            .RequireAuthorization(Policies.Admin);
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }
}
