using AlignLab.Training.Methods.Sft;
using AlignLab.Training.Registry;

namespace AlignLab.Training.Tests;

/// <summary>The demo model fine-tuned by SFT with the method's defaults, trained once for the tests that need it (about
/// 40 s on two cores): <see cref="SftMethodTests"/> checks what it learned, and reward models start from it, as the
/// papers' reward models start from the SFT policy.</summary>
public static class DemoSftPolicy
{
    private static readonly Lazy<Task<MethodContext>> Run = new(async () =>
    {
        var registry = new ModelRegistry([TinyModels.DemoRoot()]);
        var context = new MethodContext(new SftMethod(registry), "{}");
        await new SftMethod(registry).RunAsync(context);
        return context;
    });

    /// <summary>The run (its metrics and artifacts).</summary>
    public static Task<MethodContext> RunAsync() => Run.Value;

    /// <summary>A copy of the run's export as the model folder <paramref name="name"/> under <paramref name="root"/>.</summary>
    public static async Task CopyToAsync(string root, string name)
    {
        var export = Path.Combine((await RunAsync()).ArtifactDirectory, "export");
        var target = Directory.CreateDirectory(Path.Combine(root, name)).FullName;
        foreach (var file in Directory.GetFiles(export)) File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
    }
}
