using AlignLab.Data;
using AlignLab.Jobs.Hosting;
using AlignLab.Web.Hosting;

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
    builder.Services.AddAlignLabWeb(builder.Configuration);

    var app = builder.Build();
    app.MapAlignLab();
    await app.RunAsync();
}
finally
{
    // After the host (and its Hangfire server) stopped: stop the embedded PostgreSQL if this process started it.
    await database.DisposeAsync();
}

/// <summary>Entry point type, visible to WebApplicationFactory in tests.</summary>
public partial class Program;
