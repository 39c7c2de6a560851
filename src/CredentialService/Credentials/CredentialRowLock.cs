using CredentialService.Data;
using Microsoft.EntityFrameworkCore;

namespace CredentialService.Credentials;

public static class CredentialRowLock
{
    /// <summary>
    /// Reads the tenant's credential and locks its row until the caller's transaction ends (<c>FOR UPDATE</c>).
    /// A usage write and a delete of one credential both take this lock, so they run one after the other: a usage
    /// is never added to a credential being deleted, and a delete never misses a usage that was just added.
    /// Must run inside a transaction. Null when absent or in another tenant.
    /// </summary>
    public static async Task<Credential?> LockAsync(this DbSet<Credential> credentials, Guid id, string tenantId, CancellationToken ct)
    {
        // xmin is a system column: "*" does not include it, and the entity's version needs it.
        var rows = await credentials
            .FromSql($"SELECT *, xmin FROM credentials WHERE id = {id} AND tenant_id = {tenantId} FOR UPDATE")
            .AsNoTracking()
            .ToListAsync(ct);
        return rows.Count == 0 ? null : rows[0];
    }
}
