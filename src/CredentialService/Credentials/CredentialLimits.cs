using CredentialService.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CredentialService.Credentials;

/// <summary><c>Credentials:*</c>: how many credentials one tenant may store.</summary>
public sealed class CredentialLimitsOptions
{
    public int MaxPerTenant { get; set; } = 100_000;
}

/// <summary>A create that would take the tenant over <see cref="CredentialLimitsOptions.MaxPerTenant"/> (409).</summary>
public sealed class TenantCredentialLimitException(int maxPerTenant)
    : Exception($"The tenant already has the maximum of {maxPerTenant} credentials.")
{
    public int MaxPerTenant { get; } = maxPerTenant;
}

/// <summary>
/// Enforces the per-tenant maximum inside the create's transaction. Creates of one tenant take a transaction-scoped
/// advisory lock on the tenant first, so two instances cannot both see "one place left" and both insert; creates of
/// different tenants do not wait for each other (unless their tenant ids hash alike). The count stops at the maximum.
/// </summary>
public sealed class CredentialLimits(CredentialsDbContext db, IOptions<CredentialLimitsOptions> options)
{
    public async Task EnsureRoomAsync(string tenantId, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("The per-tenant limit is checked inside the create's transaction.");
        }

        var max = options.Value.MaxPerTenant;
        await db.Database.ExecuteSqlAsync(
            $"SELECT pg_advisory_xact_lock(hashtextextended('credential-limit:' || {tenantId}, 0))", ct);
        var count = await db.Database
            .SqlQuery<int>($"SELECT count(*)::int AS \"Value\" FROM (SELECT 1 FROM credentials WHERE tenant_id = {tenantId} LIMIT {max}) AS c")
            .SingleAsync(ct);
        if (count >= max) throw new TenantCredentialLimitException(max);
    }
}
