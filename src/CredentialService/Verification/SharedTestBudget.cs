using CredentialService.ConnectionTests;
using CredentialService.RateLimiting;
using Microsoft.Extensions.Options;

namespace CredentialService.Verification;

/// <summary>
/// The scheduler draws from the same shared bucket as people's connection tests (<c>tests:{tenant}</c>, every
/// instance), without waiting, and with a burst one smaller than theirs: it takes a test only while at least one more
/// would still be free, so a person pressing "Test" is never refused because of the scheduler.
/// </summary>
internal sealed class SharedTestBudget(SharedRateLimiter limiter, IOptions<TestRateLimitOptions> limits) : ITenantTestBudget
{
    public async ValueTask<bool> TryTakeAsync(string tenantId, CancellationToken ct)
    {
        var perSecond = limits.Value.TestsPerSecondPerTenant;
        var decision = await limiter.AcquireAsync(ConnectionTestRateLimit.BucketOf(tenantId),
            new RateLimit(perSecond, Math.Max(1, perSecond - 1)), TimeSpan.Zero, ct);
        return decision.Granted;
    }
}
