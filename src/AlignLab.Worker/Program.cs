using AlignLab.Data;
using AlignLab.Jobs.Hosting;

// A GPU node: a Hangfire server against the platform's database, nothing else. It never calls a web node;
// run status and metrics go to PostgreSQL, which notifies the web nodes.
var builder = Host.CreateApplicationBuilder(args);
AlignLabSettings.AddDefaults(builder.Configuration);

using var bootstrapLog = LoggerFactory.Create(logging => logging.AddConsole());
await using var database = await DatabaseBootstrap.PrepareAsync(builder.Configuration,
    bootstrapLog.CreateLogger("AlignLab.Database"), mayStartEmbedded: false);

builder.Services.AddAlignLabData(database.ConnectionString);
builder.Services.AddAlignLabJobs(builder.Configuration, database.ConnectionString);
builder.Services.AddAlignLabJobServer(builder.Configuration);

await builder.Build().RunAsync();
