using Microsoft.EntityFrameworkCore;
using Npgsql;

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
/// The per-tenant maximum is enforced by Postgres, in the statement that inserts the credential: the insert's trigger
/// adds the new credentials to the tenant's row of <see cref="TenantCredentialCount"/> and raises
/// <see cref="SqlState"/> when the count passes <see cref="Setting"/> (set for every connection from
/// <c>Credentials:MaxPerTenant</c>, see <c>Data/DatabaseSetup</c>), which rolls the create back. The upsert locks that
/// row until commit, so creates of one tenant racing on several instances are counted one after the other and never
/// overshoot, while other tenants' creates do not wait. No extra statement or round trip per create.
/// </summary>
public static class CredentialLimits
{
    /// <summary>The connection setting the trigger reads (a custom setting, unset means no maximum, e.g. for COPY).</summary>
    public const string Setting = "credential_service.max_credentials_per_tenant";

    /// <summary>The SQLSTATE the trigger raises for a create over the maximum.</summary>
    public const string SqlState = "CS409";

    public static bool IsLimitReached(DbUpdateException e) => e.InnerException is PostgresException { SqlState: SqlState };
}
