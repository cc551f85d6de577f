using AlignLab.Testing;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace AlignLab.Browser.Tests;

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<PostgresFixture>, ICollectionFixture<ChromiumFixture>
{
    public const string Name = "browser";
}
