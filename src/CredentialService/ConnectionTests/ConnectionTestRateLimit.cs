using CredentialService.Infrastructure.Auth;
using CredentialService.Infrastructure.Telemetry;
using CredentialService.RateLimiting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace CredentialService.ConnectionTests;

/// <summary>
/// <c>RateLimiting:TestsPerSecondPerTenant</c> connection tests per tenant, across every instance (a shared bucket
/// per tenant, burst the same as the rate, no queue): one tenant's burst never blocks another's, and it never lets
/// a tenant's tests exhaust a workspace's 10 requests per second.
/// </summary>
public sealed class ConnectionTestRateLimit(
    IOptions<TestRateLimitOptions> options, IOptions<TenancyOptions> tenancy, ServiceMetrics metrics) : ISharedRateLimitPolicy
{
    public (string BucketKey, RateLimit Limit, TimeSpan MaxWait)? BucketFor(HttpContext context)
    {
        var perSecond = options.Value.TestsPerSecondPerTenant;
        return Caller.TenantOf(context.User, tenancy.Value.ClaimType) is { } tenant
            ? (BucketOf(tenant), new RateLimit(perSecond, perSecond), TimeSpan.Zero)
            : null;
    }

    /// <summary>The tenant's shared bucket of connection tests (the scheduled verification draws from it too).</summary>
    public static string BucketOf(string tenantId) => $"tests:{tenantId}";

    public ProblemDetails Refused(HttpContext context, RateLimit limit, int retryAfterSeconds)
    {
        metrics.RateLimited();
        return new ProblemDetails
        {
            Title = "Too many connection tests",
            Detail = $"This tenant may run {options.Value.TestsPerSecondPerTenant} connection tests per second " +
                     $"(Customer.io allows 10 requests per second per workspace). Try again in {retryAfterSeconds} second(s).",
        };
    }
}
