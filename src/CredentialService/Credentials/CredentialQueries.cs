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

    /// <summary>What the proxy needs of one credential of the tenant: its region, key (encrypted) and version.</summary>
    public static readonly Func<CredentialsDbContext, Guid, string, CancellationToken, Task<ProxyTarget?>> ProxyTargetById =
        EF.CompileAsyncQuery((CredentialsDbContext db, Guid id, string tenant, CancellationToken ct) =>
            db.Credentials.AsNoTracking()
                .Where(c => c.Id == id && c.TenantId == tenant)
                .Select(c => new ProxyTarget(c.Region, c.AppApiKeyCiphertext, c.Version))
                .FirstOrDefault());
}

/// <summary>A credential as the proxy reads it on every call (the key is decrypted only when its version is new).</summary>
public sealed record ProxyTarget(string Region, byte[] AppApiKeyCiphertext, long Version);
