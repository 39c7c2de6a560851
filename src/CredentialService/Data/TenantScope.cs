using CredentialService.Audit;
using CredentialService.Credentials;
using CredentialService.Idempotency;
using CredentialService.Infrastructure.Auth;
using CredentialService.Usages;

namespace CredentialService.Data;

/// <summary>
/// The one place a query is scoped to a tenant: every read or write on behalf of a caller starts from
/// <c>db.Credentials.OwnedBy(caller)</c> (or the events' and usages' equivalent), never from a hand-written
/// <c>TenantId ==</c> check. The tenant comes first, so EF writes <c>WHERE tenant_id = @p AND id = @p</c>: the
/// (tenant_id, ...) indexes serve it. Another tenant's row is then indistinguishable from one that never existed (404).
/// The exceptions are the hot paths: <see cref="CredentialQueries"/> (compiled queries cannot call these methods, so
/// each takes the tenant as a parameter and writes the same condition), <see cref="StoredKeyQuery"/> and
/// <see cref="Verification.VerdictEvents"/> (SQL, one round trip each); the tenant-isolation tests cover them like
/// every endpoint.
/// </summary>
public static class TenantScope
{
    public static IQueryable<Credential> OwnedBy(this IQueryable<Credential> credentials, Caller caller) =>
        credentials.OwnedBy(caller.TenantId);

    public static IQueryable<Credential> OwnedBy(this IQueryable<Credential> credentials, string tenantId) =>
        credentials.Where(c => c.TenantId == tenantId);

    public static IQueryable<CredentialEvent> OwnedBy(this IQueryable<CredentialEvent> events, Caller caller)
    {
        var tenantId = caller.TenantId;
        return events.Where(e => e.TenantId == tenantId);
    }

    public static IQueryable<IdempotencyRecord> OwnedBy(this IQueryable<IdempotencyRecord> records, string tenantId) =>
        records.Where(r => r.TenantId == tenantId);

    public static IQueryable<CredentialUsage> OwnedBy(this IQueryable<CredentialUsage> usages, Caller caller)
    {
        var tenantId = caller.TenantId;
        return usages.Where(u => u.TenantId == tenantId);
    }
}
