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
    IOptions<TestRateLimitOptions> options, IOptions<TenancyOptions> tenancy, ServiceMetrics metrics)
    : TenantRequestRateLimit(Kind, tenancy, metrics)
{
    private const string Kind = "tests";

    protected override double PerSecond => options.Value.TestsPerSecondPerTenant;

    protected override int Burst => options.Value.TestsPerSecondPerTenant;

    /// <summary>The tenant's shared bucket of connection tests (the scheduled verification draws from it too).</summary>
    public static string BucketOf(string tenantId) => BucketOf(Kind, tenantId);

    protected override ProblemDetails Problem(RateLimit limit, int retryAfterSeconds) => new()
    {
        Title = "Too many connection tests",
        Detail = $"This tenant may run {options.Value.TestsPerSecondPerTenant} connection tests per second " +
                 $"(Customer.io allows 10 requests per second per workspace). Try again in {retryAfterSeconds} second(s).",
    };
}
