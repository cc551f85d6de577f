using AlignLab.Testing;

// Timing assertions (job start, cancellation) need the machine's two cores to themselves.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace AlignLab.Web.Tests;

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "postgres";
}
