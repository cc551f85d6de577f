using AlignLab.Testing;

namespace AlignLab.Web.Tests;

/// <summary>A web process over a fresh database of the shared cluster, with its in-process job server.</summary>
public abstract class WebAppTestBase(PostgresFixture postgres) : IAsyncLifetime
{
    protected AppProcess Web { get; private set; } = null!;
    protected AlignLabApi Api { get; private set; } = null!;
    protected string BaseAddress { get; private set; } = "";
    protected string ConnectionString { get; private set; } = "";
    protected string ArtifactRoot { get; } = Directory.CreateTempSubdirectory("alignlab-artifacts-").FullName;
    protected string ModelRoot { get; } = Directory.CreateTempSubdirectory("alignlab-models-").FullName;

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
