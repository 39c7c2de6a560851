using CredentialService.Infrastructure.Auth;
using CredentialService.Infrastructure.Telemetry;
using CredentialService.RateLimiting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace CredentialService.Credentials;

/// <summary>
/// <c>RateLimiting:*</c> per-tenant request limits of the list and the write endpoints, shared by every instance
/// (buckets in Postgres): one tenant's flood of searches or writes cannot take the shared database from the others.
/// </summary>
public sealed class TenantRequestLimitOptions
{
    /// <summary><c>GET /v1/credentials</c> per tenant and second (burst twice that).</summary>
    public double ListRequestsPerSecondPerTenant { get; set; } = 50;

    /// <summary>Creates, updates, deletes and usage writes per tenant and second (burst twice that).</summary>
    public double WriteRequestsPerSecondPerTenant { get; set; } = 50;

    /// <summary>How long a request over the rate may wait for a slot before it is refused with 429.</summary>
    public double MaxQueueSeconds { get; set; } = 1;

    public static bool IsValid(TenantRequestLimitOptions o) =>
        o.ListRequestsPerSecondPerTenant > 0 && o.WriteRequestsPerSecondPerTenant > 0 && o.MaxQueueSeconds is >= 0 and <= 30;
}

/// <summary>A per-tenant bucket of one kind of request; the two kinds below are the policies endpoints name.</summary>
public abstract class TenantRequestRateLimit(
    string kind, IOptions<TenantRequestLimitOptions> options, IOptions<TenancyOptions> tenancy, ServiceMetrics metrics)
    : ISharedRateLimitPolicy
{
    protected abstract double PerSecond(TenantRequestLimitOptions o);

    public (string BucketKey, RateLimit Limit, TimeSpan MaxWait)? BucketFor(HttpContext context)
    {
        var perSecond = PerSecond(options.Value);
        return Caller.TenantOf(context.User, tenancy.Value.ClaimType) is { } tenant
            ? ($"{kind}:{tenant}", new RateLimit(perSecond, Math.Max(1, (int)Math.Ceiling(2 * perSecond))),
                TimeSpan.FromSeconds(options.Value.MaxQueueSeconds))
            : null;
    }

    public ProblemDetails Refused(HttpContext context, RateLimit limit, int retryAfterSeconds)
    {
        metrics.RateLimited();
        return new ProblemDetails
        {
            Title = "Too many requests",
            Detail = $"This tenant may make {limit.PerSecond} {kind} requests per second, across every instance of the " +
                     $"service. Try again in {retryAfterSeconds} second(s).",
        };
    }
}

public sealed class CredentialListRateLimit(IOptions<TenantRequestLimitOptions> o, IOptions<TenancyOptions> t, ServiceMetrics m)
    : TenantRequestRateLimit("list", o, t, m)
{
    protected override double PerSecond(TenantRequestLimitOptions o) => o.ListRequestsPerSecondPerTenant;
}

public sealed class CredentialWriteRateLimit(IOptions<TenantRequestLimitOptions> o, IOptions<TenancyOptions> t, ServiceMetrics m)
    : TenantRequestRateLimit("write", o, t, m)
{
    protected override double PerSecond(TenantRequestLimitOptions o) => o.WriteRequestsPerSecondPerTenant;
}
