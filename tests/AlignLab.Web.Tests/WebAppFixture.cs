using AlignLab.Testing;

namespace AlignLab.Web.Tests;

/// <summary>A web process over a fresh database of the collection's cluster, with its in-process job server: one per test.</summary>
public abstract class WebAppTestBase(PostgresFixture postgres) : IAsyncLifetime
{
    public AppProcess Web { get; private set; } = null!;
    public AlignLabApi Api { get; private set; } = null!;
    public string BaseAddress { get; private set; } = "";
    public string ConnectionString { get; private set; } = "";
    public string ArtifactRoot { get; } = Directory.CreateTempSubdirectory("alignlab-artifacts-").FullName;
    public string ModelRoot { get; } = Directory.CreateTempSubdirectory("alignlab-models-").FullName;

    protected virtual IDictionary<string, string> Settings => new Dictionary<string, string>();

    public async Task InitializeAsync()
    {
        ConnectionString = await postgres.CreateDatabaseAsync(migrate: false);
        var settings = new Dictionary<string, string>(Settings)
        {
            ["ConnectionStrings:AlignLab"] = ConnectionString,
            ["AlignLab:Artifacts:Root"] = ArtifactRoot,
            ["AlignLab:Models:Roots:0"] = ModelRoot,
            ["AlignLab:Models:CreateDemoModel"] = "false",
        };
        Web = await AppProcess.StartWebAsync(settings);
        BaseAddress = await Web.ListeningAddress;
        Api = new AlignLabApi(BaseAddress, Web.Admin.ApiKey);
    }

    public virtual async Task DisposeAsync()
    {
        Api.Dispose();
        await Web.DisposeAsync();
    }
}

/// <summary>One web app for all the tests of a class (its class fixture), for tests that only read, or that write only
/// what they count before and after: a process start (about 3 s on two cores) for the class instead of one per test.</summary>
public sealed class SharedWebApp(PostgresFixture postgres) : WebAppTestBase(postgres);
