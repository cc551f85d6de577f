using AlignLab.Core.Construction;
using AlignLab.Core.Datasets;
using AlignLab.Data.Datasets;
using Dapper;
using Npgsql;

namespace AlignLab.Data.Construction;

/// <summary>The spa_constructions and spa_construction_items tables: the job's per-instance progress, the
/// annotators' queue, and the dataset a construction ends in.</summary>
public sealed class ConstructionRepository(NpgsqlDataSource dataSource) : IConstructionStore
{
    private const string ItemColumns =
        "index AS Index, instruction AS Instruction, input AS Input, output AS Output, status AS Status, rollout AS Rollout, " +
        "rollout_reward AS RolloutReward, output_reward AS OutputReward, reason AS Reason, revised AS Revised, attempts AS Attempts, " +
        "error AS Error, revised_by AS RevisedBy";

    public sealed record ConstructionInfo(Guid RunId, string Revision, double Eta1, double Eta2, double Eta3, Guid? DatasetId)
    {
        public RewardThresholds Thresholds => new(Eta1, Eta2, Eta3);
    }

    public enum AnnotationOutcome { Saved, NoSuchItem, NotAwaiting }

    public async Task<IReadOnlyList<ConstructionItem>> InitializeAsync(Guid runId, string revision, RewardThresholds thresholds,
        IReadOnlyList<SpaRecord> pool, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var created = await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO spa_constructions (run_id, revision, eta1, eta2, eta3) VALUES (@runId, @revision, @Eta1, @Eta2, @Eta3)
            ON CONFLICT (run_id) DO NOTHING
            """,
            new { runId, revision, thresholds.Eta1, thresholds.Eta2, thresholds.Eta3 }, transaction, cancellationToken: cancellationToken));
        if (created == 1)
            await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO spa_construction_items (run_id, index, instruction, input, output, status)
                SELECT @runId, i - 1, instruction, input, output, 'pending'
                FROM unnest(@instructions, @inputs, @outputs) WITH ORDINALITY AS t(instruction, input, output, i)
                """,
                new
                {
                    runId,
                    instructions = pool.Select(p => p.Instruction).ToArray(),
                    inputs = pool.Select(p => p.Input).ToArray(),
                    outputs = pool.Select(p => p.Output).ToArray(),
                }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return await ItemsAsync(runId, null, 0, int.MaxValue, cancellationToken);
    }

    public async Task SaveRolloutsAsync(Guid runId, IReadOnlyList<(int Index, string Rollout)> rollouts, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE spa_construction_items i SET rollout = t.rollout, status = 'rolled_out', updated_at = now()
            FROM unnest(@indexes, @texts) AS t(index, rollout)
            WHERE i.run_id = @runId AND i.index = t.index AND i.status = 'pending'
            """,
            new { runId, indexes = rollouts.Select(r => r.Index).ToArray(), texts = rollouts.Select(r => r.Rollout).ToArray() },
            cancellationToken: cancellationToken));
    }

    public async Task SaveScoresAsync(Guid runId, IReadOnlyList<(int Index, double RolloutReward, double OutputReward, bool Kept)> scores,
        string keptStatus, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE spa_construction_items i
            SET rollout_reward = t.rollout_reward, output_reward = t.output_reward,
                status = CASE WHEN t.kept THEN @keptStatus ELSE 'filtered_out' END, updated_at = now()
            FROM unnest(@indexes, @rolloutRewards, @outputRewards, @kept) AS t(index, rollout_reward, output_reward, kept)
            WHERE i.run_id = @runId AND i.index = t.index AND i.status = 'rolled_out'
            """,
            new
            {
                runId, keptStatus,
                indexes = scores.Select(s => s.Index).ToArray(),
                rolloutRewards = scores.Select(s => s.RolloutReward).ToArray(),
                outputRewards = scores.Select(s => s.OutputReward).ToArray(),
                kept = scores.Select(s => s.Kept).ToArray(),
            }, cancellationToken: cancellationToken));
    }

    public async Task SaveRevisionAsync(Guid runId, int index, Revision revision, string revisedBy, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE spa_construction_items SET status = 'revised', reason = @reason, revised = @text, attempts = attempts + @attempts,
                error = NULL, revised_by = @revisedBy, updated_at = now()
            WHERE run_id = @runId AND index = @index
            """,
            new { runId, index, reason = revision.Reason.ToString(), text = revision.Text, attempts = revision.Attempts, revisedBy },
            cancellationToken: cancellationToken));
    }

    public async Task SaveFailureAsync(Guid runId, int index, string error, int attempts, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE spa_construction_items SET status = 'failed', error = @error, attempts = attempts + @attempts, updated_at = now()
            WHERE run_id = @runId AND index = @index
            """,
            new { runId, index, error, attempts }, cancellationToken: cancellationToken));
    }

    public async Task<Guid?> FinalizeAsync(Guid runId, string datasetName, Func<IReadOnlyList<SpaRecord>, object> statistics, CancellationToken cancellationToken)
    {
        // Statistics (tokenizing, scoring with the reward model) take long: computed before the transaction, and again
        // inside it only if an instance was revised in between.
        var records = await RevisedRecordsAsync(runId, null, null, cancellationToken);
        var stats = records.Count > 0 ? statistics(records) : null;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var existing = await connection.QuerySingleOrDefaultAsync<Guid?>(new CommandDefinition(
            "SELECT dataset_id FROM spa_constructions WHERE run_id = @runId FOR UPDATE", new { runId }, transaction, cancellationToken: cancellationToken));
        if (existing is { } done) return done;
        var current = await RevisedRecordsAsync(runId, connection, transaction, cancellationToken);
        if (current.Count == 0) return null;
        if (!current.SequenceEqual(records)) (records, stats) = (current, statistics(current));
        var datasetId = await DatasetRepository.InsertAsync(connection, transaction, datasetName, DatasetKinds.Spa, records, stats!, cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE spa_constructions SET dataset_id = @datasetId WHERE run_id = @runId;
            UPDATE spa_construction_items SET status = 'skipped', updated_at = now() WHERE run_id = @runId AND status = 'awaiting_annotation';
            """,
            new { runId, datasetId }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return datasetId;
    }

    /// <summary>The revised instances as SPA records (Ŷ the rollout, Ỹ the revision), in index order.</summary>
    private async Task<IReadOnlyList<SpaRecord>> RevisedRecordsAsync(Guid runId, NpgsqlConnection? connection, NpgsqlTransaction? transaction,
        CancellationToken cancellationToken)
    {
        var owned = connection is null ? await dataSource.OpenConnectionAsync(cancellationToken) : null;
        try
        {
            var items = await (connection ?? owned!).QueryAsync<ConstructionItem>(new CommandDefinition(
                $"SELECT {ItemColumns} FROM spa_construction_items WHERE run_id = @runId AND status = 'revised' ORDER BY index",
                new { runId }, transaction, cancellationToken: cancellationToken));
            return [.. items.Select(i => new SpaRecord(i.Instruction, i.Input, i.Output, i.Rollout!, i.Revised!))];
        }
        finally
        {
            if (owned is not null) await owned.DisposeAsync();
        }
    }

    public async Task<ConstructionInfo?> GetAsync(Guid runId, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<ConstructionInfo>(new CommandDefinition(
            "SELECT run_id AS RunId, revision AS Revision, eta1 AS Eta1, eta2 AS Eta2, eta3 AS Eta3, dataset_id AS DatasetId FROM spa_constructions WHERE run_id = @runId",
            new { runId }, cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyDictionary<string, int>> CountsAsync(Guid runId, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string Status, int Count)>(new CommandDefinition(
            "SELECT status, count(*)::int FROM spa_construction_items WHERE run_id = @runId GROUP BY status", new { runId }, cancellationToken: cancellationToken));
        return ConstructionStatus.All.ToDictionary(s => s, s => rows.FirstOrDefault(r => r.Status == s).Count);
    }

    /// <summary>Both rewards of every scored instance, for the histograms.</summary>
    public async Task<IReadOnlyList<(double RolloutReward, double OutputReward)>> RewardsAsync(Guid runId, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<(double, double)>(new CommandDefinition(
            "SELECT rollout_reward, output_reward FROM spa_construction_items WHERE run_id = @runId AND rollout_reward IS NOT NULL ORDER BY index",
            new { runId }, cancellationToken: cancellationToken))).ToList();
    }

    public Task<IReadOnlyList<ConstructionItem>> ItemsAsync(Guid runId, CancellationToken cancellationToken) =>
        ItemsAsync(runId, null, 0, int.MaxValue, cancellationToken);

    public async Task<IReadOnlyList<ConstructionItem>> ItemsAsync(Guid runId, string? status, int offset, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<ConstructionItem>(new CommandDefinition(
            $"SELECT {ItemColumns} FROM spa_construction_items WHERE run_id = @runId AND (@status::text IS NULL OR status = @status) ORDER BY index OFFSET @offset LIMIT @limit",
            new { runId, status, offset, limit }, cancellationToken: cancellationToken))).ToList();
    }

    /// <summary>An annotator's revision (or skip) of an instance waiting for one. Returns the outcome and how many
    /// instances still wait.</summary>
    public async Task<(AnnotationOutcome Outcome, int StillWaiting)> AnnotateAsync(Guid runId, int index, string? revised, string annotator,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var status = await connection.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(
            "SELECT status FROM spa_construction_items WHERE run_id = @runId AND index = @index FOR UPDATE",
            new { runId, index }, transaction, cancellationToken: cancellationToken));
        if (status is null) return (AnnotationOutcome.NoSuchItem, 0);
        if (status != ConstructionStatus.AwaitingAnnotation) return (AnnotationOutcome.NotAwaiting, 0);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE spa_construction_items SET status = CASE WHEN @revised::text IS NULL THEN 'skipped' ELSE 'revised' END,
                revised = @revised, revised_by = @annotator, updated_at = now()
            WHERE run_id = @runId AND index = @index
            """,
            new { runId, index, revised, annotator }, transaction, cancellationToken: cancellationToken));
        var waiting = await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT count(*)::int FROM spa_construction_items WHERE run_id = @runId AND status = 'awaiting_annotation'",
            new { runId }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return (AnnotationOutcome.Saved, waiting);
    }
}
