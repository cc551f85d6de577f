using System.Text.Json.Serialization;
using AlignLab.Data;
using AlignLab.Jobs.Hosting;
using AlignLab.Web.Api;
using AlignLab.Web.Components;
using AlignLab.Web.Health;
using AlignLab.Web.Models;
using AlignLab.Web.Realtime;
using Hangfire;
using MudBlazor.Services;

var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = args,
    // The repository's top-level wwwroot/, copied next to the executable by the build.
    WebRootPath = Path.Combine(AppContext.BaseDirectory, "site"),
});
AlignLabSettings.AddDefaults(builder.Configuration);
// Serve framework and package assets (blazor.web.js, MudBlazor) from a build output in every environment,
// not only Development; a published app carries them in its web root and this is a no-op there.
builder.WebHost.UseStaticWebAssets();

using var bootstrapLog = LoggerFactory.Create(logging => logging.AddConsole());
var database = await DatabaseBootstrap.PrepareAsync(builder.Configuration,
    bootstrapLog.CreateLogger("AlignLab.Database"), mayStartEmbedded: true);
try
{
    builder.Services.AddAlignLabData(database.ConnectionString);
    builder.Services.AddAlignLabJobs(builder.Configuration, database.ConnectionString);
    if (builder.Configuration.GetValue($"{JobsOptions.Section}:RunServer", true))
        builder.Services.AddAlignLabJobServer(builder.Configuration);

    builder.Services.AddProblemDetails();
    builder.Services.ConfigureHttpJsonOptions(o =>
    {
        o.SerializerOptions.Converters.Add(new JsonStringEnumConverter());
        o.SerializerOptions.NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals;
    });
    builder.Services.AddSignalR().AddJsonProtocol(o =>
    {
        o.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter());
        o.PayloadSerializerOptions.NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals;
    });
    builder.Services.AddSingleton<RunEventStream>();
    builder.Services.AddHostedService<RunEventForwarder>();
    builder.Services.Configure<ModelsOptions>(builder.Configuration.GetSection(ModelsOptions.Section));
    builder.Services.AddSingleton<DemoModelBootstrap>();
    builder.Services.AddHostedService(sp => sp.GetRequiredService<DemoModelBootstrap>());
    builder.Services.AddRazorComponents().AddInteractiveServerComponents();
    builder.Services.AddMudServices();

    var app = builder.Build();
    app.UseExceptionHandler();
    app.UseStatusCodePages();
    app.UseStaticFiles();
    app.UseAntiforgery();
    app.MapStaticAssets();
    app.MapRunsApi();
    app.MapMethodsApi();
    app.MapModelsApi();
    app.MapPreviewsApi();
    app.MapDatasetsApi();
    app.MapHealthApi();
    app.MapHub<RunsHub>(RunsHub.Path);
    // Hangfire's default dashboard filter admits local requests only.
    app.MapHangfireDashboard("/hangfire");
    app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

    await app.RunAsync();
}
finally
{
    // After the host (and its Hangfire server) stopped: stop the embedded PostgreSQL if this process started it.
    await database.DisposeAsync();
}

/// <summary>Entry point type, visible to WebApplicationFactory in tests.</summary>
public partial class Program;
