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
/// Enforces the per-tenant maximum inside the create's transaction. The tenant's row of
/// <see cref="TenantCredentialCount"/> is locked first (an upsert, so a tenant's first create locks it too): creates of
/// one tenant queue on it, so two instances cannot both see "one place left" and both insert, while creates of
/// different tenants do not wait for each other. ON CONFLICT DO UPDATE reads the row's latest committed version,
/// so a create that waited sees the ones before it. The insert's trigger then counts the new credential on the same
/// row; the lock is held until commit.
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
        // ToListAsync, not SingleAsync: an INSERT cannot be composed into the SELECT that SingleAsync would wrap it in.
        var counts = await db.Database
            .SqlQuery<int>($"""
                INSERT INTO tenant_credential_counts AS c (tenant_id, credentials) VALUES ({tenantId}, 0)
                ON CONFLICT (tenant_id) DO UPDATE SET credentials = c.credentials
                RETURNING c.credentials AS "Value"
                """)
            .ToListAsync(ct);
        if (counts.Single() >= max) throw new TenantCredentialLimitException(max);
    }
}
