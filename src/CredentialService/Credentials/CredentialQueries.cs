using CredentialService.Data;
using Microsoft.EntityFrameworkCore;

namespace CredentialService.Credentials;

/// <summary>
/// The hot reads, compiled once: EF then skips, per request, the look-up of the query's plan in its cache (which
/// walks and hashes the whole expression tree). The SQL is the same as the LINQ would give; each filters by the
/// tenant itself, as every credential query does.
/// </summary>
public static class CredentialQueries
{
    /// <summary>One credential of the tenant, as the API shows it; null when it is not the tenant's.</summary>
    public static readonly Func<CredentialsDbContext, Guid, string, CancellationToken, Task<CredentialResponse?>> ById =
        EF.CompileAsyncQuery((CredentialsDbContext db, Guid id, string tenant, CancellationToken ct) =>
            db.Credentials.AsNoTracking()
                .Where(c => c.Id == id && c.TenantId == tenant)
                .Select(CredentialResponse.Projection)
                .FirstOrDefault());

    /// <summary>The newest <c>take</c> credentials of the tenant (the unfiltered first page).</summary>
    public static readonly Func<CredentialsDbContext, string, int, IAsyncEnumerable<CredentialResponse>> FirstPage =
        EF.CompileAsyncQuery((CredentialsDbContext db, string tenant, int take) =>
            db.Credentials.AsNoTracking()
                .Where(c => c.TenantId == tenant)
                .OrderByDescending(c => c.Id)
                .Take(take)
                .Select(CredentialResponse.Projection));

    /// <summary>The next <c>take</c> credentials of the tenant older than <c>after</c> (an unfiltered next page).</summary>
    public static readonly Func<CredentialsDbContext, string, Guid, int, IAsyncEnumerable<CredentialResponse>> PageAfter =
        EF.CompileAsyncQuery((CredentialsDbContext db, string tenant, Guid after, int take) =>
            db.Credentials.AsNoTracking()
                .Where(c => c.TenantId == tenant && c.Id.CompareTo(after) < 0)
                .OrderByDescending(c => c.Id)
                .Take(take)
                .Select(CredentialResponse.Projection));

    /// <summary>
    /// What a test of one credential of the tenant needs (a person's stored test, the scheduler): its region, key
    /// (encrypted), version and last verdict; nothing is tracked.
    /// </summary>
    public static readonly Func<CredentialsDbContext, Guid, string, CancellationToken, Task<StoredKey?>> StoredKeyById =
        EF.CompileAsyncQuery((CredentialsDbContext db, Guid id, string tenant, CancellationToken ct) =>
            db.Credentials.AsNoTracking()
                .Where(c => c.Id == id && c.TenantId == tenant)
                .Select(c => new StoredKey(c.Id, c.TenantId, c.Region, c.AppApiKeyCiphertext, c.Version, c.LastOutcome))
                .FirstOrDefault());
}

/// <summary>
/// <see cref="CredentialQueries.StoredKeyById"/> in SQL, for the callers that read the credential inside the rate
/// limiter's statement (<see cref="RateLimiting.SharedRateLimiter.AcquireForRowSql"/>: a person's stored test, every
/// proxy call), so the read and the slot are one round trip and a credential that is not the caller's takes no slot.
/// Parameters $6 (id) and $7 (tenant); the columns of <see cref="StoredKey"/> from ordinal 1 on.
/// </summary>
public static class StoredKeyQuery
{
    public const string Sql =
        "SELECT id, tenant_id, region, app_api_key_ciphertext, version, last_outcome FROM credentials WHERE tenant_id = $7 AND id = $6";

    public static Npgsql.NpgsqlParameter[] Parameters(Guid id, string tenantId) =>
        [new Npgsql.NpgsqlParameter<Guid> { TypedValue = id }, new Npgsql.NpgsqlParameter<string> { TypedValue = tenantId }];

    /// <summary>Reads the row from ordinal 1 on (ordinal 0 is the limiter's).</summary>
    public static StoredKey Read(Npgsql.NpgsqlDataReader row) =>
        new(row.GetGuid(1), row.GetString(2), row.GetString(3), row.GetFieldValue<byte[]>(4), row.GetInt64(5),
            row.IsDBNull(6) ? null : row.GetString(6));
}

/// <summary>
/// A credential as a test or the proxy reads it: <see cref="Version"/> is the row's write counter when read (the verdict's
/// optimistic-concurrency check), <see cref="LastOutcome"/> the verdict before.
/// </summary>
public sealed record StoredKey(Guid Id, string TenantId, string Region, byte[] AppApiKeyCiphertext, long Version, string? LastOutcome);
