using AlignLab.Testing;

namespace AlignLab.Data.Tests;

/// <summary>All tests of this assembly share one PostgreSQL cluster (each test uses its own database).</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "postgres";
}
