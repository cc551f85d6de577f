using AlignLab.Testing;

namespace AlignLab.Web.Tests;

// The web tests run in two collections side by side, each on its own PostgreSQL cluster (about half the suite's time
// is web processes starting, a core each). Tests that time the job server (a run starts, or is cancelled, within two
// seconds; a hub client subscribes before a one-second run ends) or take ports back run alone, after both.

[CollectionDefinition(First)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string First = "postgres";
    public const string Second = "postgres-second";
    public const string Alone = "postgres-alone";
}

[CollectionDefinition(PostgresCollection.Second)]
public sealed class SecondPostgresCollection : ICollectionFixture<PostgresFixture>;

[CollectionDefinition(PostgresCollection.Alone, DisableParallelization = true)]
public sealed class AlonePostgresCollection : ICollectionFixture<PostgresFixture>;
