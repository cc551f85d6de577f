using AlignLab.Training.Demo;
using AlignLab.Training.Registry;

namespace AlignLab.Training.Tests;

/// <summary>Models under the roots and the models runs exported, and nothing outside them.</summary>
public sealed class ModelRegistryTests : IDisposable
{
    private readonly string _models = Directory.CreateTempSubdirectory("alignlab-registry-models-").FullName;
    private readonly string _artifacts = Directory.CreateTempSubdirectory("alignlab-registry-artifacts-").FullName;

    [Fact]
    public void ARunsExportIsNamedByItsRunAndListedAfterTheRootsModels()
    {
        DemoModel.Ensure(Path.Combine(_models, "base"));
        var run = Guid.NewGuid();
        DemoModel.Ensure(Path.Combine(_artifacts, "runs", run.ToString(), "export"));
        Directory.CreateDirectory(Path.Combine(_artifacts, "runs", Guid.NewGuid().ToString(), "checkpoints"));    // a run with no export yet
        var registry = new ModelRegistry([_models], _artifacts);

        Assert.Equal(["base", $"runs/{run}/export"], registry.List().Select(m => m.Name));
        Assert.Equal([false, true], registry.List().Select(m => m.Exported));
        Assert.Equal(Path.Combine(_artifacts, "runs", run.ToString(), "export"), registry.Resolve(ModelRegistry.ExportReference(run)));
        Assert.Equal(Path.Combine(_models, "base"), registry.Resolve("base"));
    }

    [Fact]
    public void ReferencesOutsideTheRootsAndTheExportsAreRefused()
    {
        var run = Guid.NewGuid();
        var checkpoints = Path.Combine(_artifacts, "runs", run.ToString(), "checkpoints", "step-1");
        DemoModel.Ensure(checkpoints);
        var registry = new ModelRegistry([_models], _artifacts);

        // Only runs/{id}/export is a model under the artifact root: not a checkpoint, not a path that climbs out.
        Assert.Contains("no model", Assert.Throws<ArgumentException>(() => registry.Resolve($"runs/{run}/checkpoints/step-1")).Message);
        Assert.Contains("has not exported a model", Assert.Throws<ArgumentException>(() => registry.Resolve($"runs/{run}/export")).Message);
        Assert.Contains("outside the model roots", Assert.Throws<ArgumentException>(() => registry.Resolve($"../{Path.GetFileName(_artifacts)}/runs/{run}/checkpoints/step-1")).Message);
        Assert.Throws<ArgumentException>(() => new ModelRegistry([_models]).Resolve($"runs/{run}/export"));
    }

    public void Dispose()
    {
        Directory.Delete(_models, recursive: true);
        Directory.Delete(_artifacts, recursive: true);
    }
}
