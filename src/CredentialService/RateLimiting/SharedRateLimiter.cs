using CredentialService.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace CredentialService.RateLimiting;

/// <summary>A rate: <paramref name="PerSecond"/> on average, up to <paramref name="Burst"/> at once.</summary>
public readonly record struct RateLimit(double PerSecond, int Burst)
{
    public TimeSpan Interval => TimeSpan.FromSeconds(1 / PerSecond);
}

/// <summary>
/// The answer to one acquire. Granted: the caller may go after <see cref="Wait"/> (its slot is reserved).
/// Refused: nothing was reserved; <see cref="RetryAfter"/> is when a request would be admitted again.
/// </summary>
public readonly record struct RateLimitDecision(bool Granted, TimeSpan Wait, TimeSpan RetryAfter)
{
    public int RetryAfterSeconds => Math.Max(1, (int)Math.Ceiling(RetryAfter.TotalSeconds));
}

/// <summary>
/// Rate limits shared by every instance of the service: the state of each bucket is one row of
/// <c>rate_limit_buckets</c> in Postgres, and every acquire is one atomic statement on it (GCRA, the token bucket
/// written as a "theoretical arrival time"), timed by the database's clock so instances' clocks don't matter.
/// An acquire reserves a slot up to <c>maxWait</c> ahead (a bounded queue); beyond that it is refused and nothing is
/// reserved. Buckets are keyed by the caller (e.g. <c>tests:{tenant}</c>, <c>proxy:{credential}:general</c>);
/// a row whose bucket is full again is deleted by <see cref="RateLimitBucketCleanup"/>.
/// </summary>
public sealed class SharedRateLimiter(IServiceScopeFactory scopes)
{
    /// <summary>A row idle this long is as good as absent (its bucket is full), so it is deleted.</summary>
    public static readonly TimeSpan IdleRowLifetime = TimeSpan.FromMinutes(10);

    // A missing row is a full bucket: the insert grants at once. On an existing row, the new arrival time is
    // reserved only when the wait it implies is within max_wait; otherwise the row is left as it was and no row
    // comes back. A pause holds every grant until paused_until (and lets the burst refill only from then).
    // Positional parameters ($1 key, $2 interval, $3 burst, $4 max wait, $5 slots), added unnamed and in order:
    // Npgsql then sends the SQL as it is instead of parsing it on every acquire to rewrite named ones. $5 slots are
    // taken at once (1, or a local batch: LocalSlotBatches).
    private const string UpsertSql = """
        INSERT INTO rate_limit_buckets AS b (bucket_key, tat)
        {new row}
        ON CONFLICT (bucket_key) DO UPDATE
           SET tat = greatest(b.tat, now(), b.paused_until + $2 * ($3 - 1)) + $2 * $5
         WHERE greatest(b.tat, now(), b.paused_until + $2 * ($3 - 1)) + $2 * $5 - $2 * $3 - now() <= $4
        RETURNING extract(epoch FROM greatest(b.tat - $2 * $3 - now(), interval '0'))::float8 AS wait
        """;

    private static readonly string AcquireSql = UpsertSql.Replace("{new row}", "VALUES ($1, now() + $2 * $5)");

    /// <summary>
    /// The statement of <see cref="AcquireForRowAsync"/> for <paramref name="rowSql"/> (a SELECT of at most one row,
    /// whose parameters are $6 on): the acquire, taken only when that row exists, and the row, in one statement. The
    /// first column is the wait (null: refused), the row's columns follow. Build it once (a static field).
    /// </summary>
    public static string AcquireForRowSql(string rowSql) => $"""
        WITH target AS ({rowSql}),
             granted AS ({UpsertSql.Replace("{new row}", "SELECT $1, now() + $2 * $5 FROM target")})
        SELECT (SELECT wait FROM granted), target.* FROM target
        """;

    private const string WaitSql = """
        SELECT extract(epoch FROM greatest(tat, now(), paused_until + $2 * ($3 - 1)) + $2 - $2 * $3 - now())::float8
          FROM rate_limit_buckets WHERE bucket_key = $1
        """;

    private const string PauseSql = """
        INSERT INTO rate_limit_buckets AS b (bucket_key, tat, paused_until)
        VALUES (@key, now(), now() + @for)
        ON CONFLICT (bucket_key) DO UPDATE SET paused_until = greatest(b.paused_until, EXCLUDED.paused_until)
        """;

    private const string CleanupSql = """
        DELETE FROM rate_limit_buckets
         WHERE tat < now() - @idle AND (paused_until IS NULL OR paused_until < now() - @idle)
        """;

    private readonly LocalSlotBatches batches = new();

    // The DbContext's own connection string, so the limiter draws from the same Npgsql pool as EF (one pool per
    // connection string): limiting adds no connections of its own.
    private readonly Lazy<string> connectionString = new(() =>
    {
        using var scope = scopes.CreateScope();
        return scope.ServiceProvider.GetRequiredService<CredentialsDbContext>().Database.GetConnectionString()!;
    });

    /// <summary>
    /// Takes a slot of <paramref name="bucketKey"/>'s bucket if one frees within <paramref name="maxWait"/>. The caller
    /// waits <see cref="RateLimitDecision.Wait"/> before acting (see <see cref="AcquireAndWaitAsync"/>).
    /// </summary>
    public async Task<RateLimitDecision> AcquireAsync(
        string bucketKey, RateLimit limit, TimeSpan maxWait, CancellationToken ct, bool batchLocally = false)
    {
        if (batchLocally && LocalSlotBatches.SizeFor(limit) is > 1 and var size)
        {
            if (batches.TryTake(bucketKey, out var refill)) return new RateLimitDecision(true, TimeSpan.Zero, TimeSpan.Zero);
            if (refill)
            {
                var taken = 0;
                try
                {
                    await using var batchConnection = await OpenAsync(ct);
                    await using var batch = AcquireCommand(batchConnection, bucketKey, limit, TimeSpan.Zero, size);
                    if (await batch.ExecuteScalarAsync(ct) is double) taken = size;
                }
                finally
                {
                    batches.Refilled(bucketKey, limit, taken);
                }

                if (taken > 0) return new RateLimitDecision(true, TimeSpan.Zero, TimeSpan.Zero);
            }
        }

        await using var connection = await OpenAsync(ct);
        await using var command = AcquireCommand(connection, bucketKey, limit, maxWait, 1);
        var granted = await command.ExecuteScalarAsync(ct);
        if (granted is double waitSeconds)
        {
            return new RateLimitDecision(true, TimeSpan.FromSeconds(waitSeconds), TimeSpan.Zero);
        }

        return await RefusedAsync(connection, bucketKey, limit, maxWait, ct);
    }

    /// <summary>Refused (nothing reserved): reads how long a slot is away, to tell the caller when to come back.</summary>
    private static async Task<RateLimitDecision> RefusedAsync(
        NpgsqlConnection connection, string bucketKey, RateLimit limit, TimeSpan maxWait, CancellationToken ct)
    {
        await using var read = new NpgsqlCommand(WaitSql, connection);
        AddBucket(read, bucketKey, limit);
        var wait = await read.ExecuteScalarAsync(ct) is double seconds ? TimeSpan.FromSeconds(seconds) : limit.Interval;
        var retryAfter = wait - maxWait;
        return new RateLimitDecision(false, wait, retryAfter > TimeSpan.Zero ? retryAfter : limit.Interval);
    }

    /// <summary>
    /// Reads the one row a request is about and takes a slot for it, in one statement (one round trip):
    /// <paramref name="statement"/> comes from <see cref="AcquireForRowSql"/>, <paramref name="rowParameters"/> are its
    /// row's ($6 on), <paramref name="readRow"/> reads the row's columns from ordinal 1. The slot is taken only when the
    /// row exists; null when it does not (nothing was taken). Never batched locally.
    /// </summary>
    public async Task<(T Row, RateLimitDecision Decision)?> AcquireForRowAsync<T>(
        string bucketKey, RateLimit limit, TimeSpan maxWait, string statement, NpgsqlParameter[] rowParameters,
        Func<NpgsqlDataReader, T> readRow, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        T row;
        double? waitSeconds;
        await using (var command = AcquireCommand(connection, bucketKey, limit, maxWait, 1, statement))
        {
            command.Parameters.AddRange(rowParameters);
            await using var reader = await command.ExecuteReaderAsync(ct);
            if (!await reader.ReadAsync(ct)) return null;
            waitSeconds = reader.IsDBNull(0) ? null : reader.GetDouble(0);
            row = readRow(reader);
        }

        return (row, waitSeconds is { } seconds
            ? new RateLimitDecision(true, TimeSpan.FromSeconds(seconds), TimeSpan.Zero)
            : await RefusedAsync(connection, bucketKey, limit, maxWait, ct));
    }

    /// <summary><see cref="AcquireAsync"/>, then the wait it asks for, when granted.</summary>
    public async Task<RateLimitDecision> AcquireAndWaitAsync(
        string bucketKey, RateLimit limit, TimeSpan maxWait, CancellationToken ct, bool batchLocally = false)
    {
        var decision = await AcquireAsync(bucketKey, limit, maxWait, ct, batchLocally);
        if (decision.Granted && decision.Wait > TimeSpan.Zero)
        {
            await Task.Delay(decision.Wait, ct);
        }

        return decision;
    }

    /// <summary>No slot of the bucket is granted for <paramref name="duration"/> from now (on every instance).</summary>
    public async Task PauseAsync(string bucketKey, TimeSpan duration, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = new NpgsqlCommand(PauseSql, connection);
        command.Parameters.AddWithValue("key", bucketKey);
        command.Parameters.AddWithValue("for", duration);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Deletes rows whose bucket is full again; returns how many.</summary>
    public async Task<int> DeleteIdleBucketsAsync(CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = new NpgsqlCommand(CleanupSql, connection);
        command.Parameters.AddWithValue("idle", IdleRowLifetime);
        return await command.ExecuteNonQueryAsync(ct);
    }

    private static NpgsqlCommand AcquireCommand(
        NpgsqlConnection connection, string bucketKey, RateLimit limit, TimeSpan maxWait, int slots, string sql = "")
    {
        var command = new NpgsqlCommand(sql.Length > 0 ? sql : AcquireSql, connection);
        AddBucket(command, bucketKey, limit);
        command.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = maxWait });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = slots });
        return command;
    }

    private static void AddBucket(NpgsqlCommand command, string bucketKey, RateLimit limit)
    {
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = bucketKey });
        command.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = limit.Interval });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit.Burst });
    }

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken ct)
    {
        var connection = new NpgsqlConnection(connectionString.Value);
        await connection.OpenAsync(ct);
        return connection;
    }
}
