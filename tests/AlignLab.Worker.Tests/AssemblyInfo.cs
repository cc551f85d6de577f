using AlignLab.Testing;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace AlignLab.Worker.Tests;

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "postgres";
}
