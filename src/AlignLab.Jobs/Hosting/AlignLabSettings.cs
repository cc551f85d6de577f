using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;

namespace AlignLab.Jobs.Hosting;

/// <summary>The repository's top-level appsettings.json is the one default configuration of web and worker
/// alike. Builds copy it next to the executable; it goes in as the lowest-priority source, so
/// AlignLab__* environment variables and command-line arguments override it.</summary>
public static class AlignLabSettings
{
    public static void AddDefaults(IConfigurationManager configuration)
    {
        configuration.Sources.Insert(0, new JsonConfigurationSource
        {
            Path = "appsettings.json",
            Optional = false,
            FileProvider = new PhysicalFileProvider(AppContext.BaseDirectory),
        });
    }
}
