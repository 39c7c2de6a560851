using CredentialService.Audit;
using CredentialService.ConnectionTests;
using CredentialService.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CredentialService.Verification;

/// <summary>
/// The tenant's test budget as seen in the audit trail, which every instance shares: the scheduler takes a test only
/// when no person tested a credential of the tenant in the last second and all tests of the tenant in the last
/// second (people's and the scheduler's, on every instance) leave at least one of
/// <c>RateLimiting:TestsPerSecondPerTenant</c> free. It reads <c>tested</c> events, so unsaved tests
/// (<c>POST /v1/credentials/test</c>, which store nothing) are not seen; and it is a check, not a reservation.
/// </summary>
internal sealed class RecentTestsBudget(
    IServiceScopeFactory scopes, IOptions<TestRateLimitOptions> limits, TimeProvider time) : ITenantTestBudget
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(1);

    public async ValueTask<bool> TryTakeAsync(string tenantId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CredentialsDbContext>();
        var since = time.GetUtcNow().UtcDateTime - Window;
        var allowed = Math.Max(1, limits.Value.TestsPerSecondPerTenant - 1);
        // A one-second window holds a handful of tests at most; the partial index on (tenant_id, at) finds them.
        var actors = await db.CredentialEvents.AsNoTracking()
            .Where(e => e.TenantId == tenantId && e.Action == AuditAction.Tested && e.At > since)
            .Select(e => e.Actor)
            .Take(allowed + 1)
            .ToListAsync(ct);
        return actors.Count < allowed && actors.All(a => a == VerificationScheduler.Actor);
    }
}
