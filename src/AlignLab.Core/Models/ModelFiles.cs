using System.Text.Json;
using AlignLab.Core.ChatTemplates;

namespace AlignLab.Core.Models;

/// <summary>Facts about model folders that need no model code: the reference of a run's export, when a folder last
/// changed, and which exceptions mean "these files cannot be used" rather than a bug.</summary>
public static class ModelFiles
{
    public const string ConfigFile = "config.json";

    /// <summary>The reference of the model a run exported.</summary>
    public static string ExportReference(Guid runId) => $"runs/{runId:D}/export";

    /// <summary>The newest write time of the folder's files: a re-exported model or a replaced tokenizer changes it.</summary>
    public static DateTime FolderStamp(string folder) =>
        Directory.Exists(folder) ? Directory.GetFiles(folder).Select(File.GetLastWriteTimeUtc).DefaultIfEmpty().Max() : default;

    /// <summary>Exceptions that mean "this folder's files cannot be used", as opposed to a bug. Model code reports a
    /// malformed weights file to callers outside it as an <see cref="InvalidDataException"/>.</summary>
    public static bool IsLoadError(Exception e) => e is InvalidDataException or FileNotFoundException or DirectoryNotFoundException
        or NotSupportedException or ArgumentException or JsonException or ChatTemplateException
        or InvalidOperationException or FormatException or KeyNotFoundException or IOException or UnauthorizedAccessException;
}
