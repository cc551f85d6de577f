using System.Xml.Linq;

namespace AlignLab.Web.Components.Tests;

/// <summary>The web app knows runs, not tensors: it uses models only through Core's interfaces (the model catalog,
/// preview models, reward scoring, the demo model's writer), which Training implements and Jobs registers. Read from the
/// compiled assembly, which references every assembly whose types any page, endpoint or service names.</summary>
public class WebLayeringTests
{
    [Fact]
    public void TheWebAssemblyReferencesNoTrainingTypes()
    {
        var references = typeof(Api.ModelsApi).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();
        Assert.Contains("AlignLab.Core", references);
        Assert.Contains("AlignLab.Jobs", references);
        Assert.DoesNotContain("AlignLab.Training", references);
        Assert.DoesNotContain("TorchSharp", references);
    }

    [Fact]
    public void TheWebProjectDeclaresNoTrainingReference()
    {
        var project = XDocument.Load(Path.Combine(RepoRoot(), "src", "AlignLab.Web", "AlignLab.Web.csproj"));
        var references = project.Descendants("ProjectReference").Select(r => Path.GetFileName(r.Attribute("Include")!.Value.Replace('\\', '/'))).ToList();
        Assert.Contains("AlignLab.Jobs.csproj", references);
        Assert.DoesNotContain("AlignLab.Training.csproj", references);
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "AlignLab.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("no AlignLab.sln above the test's folder");
    }
}
