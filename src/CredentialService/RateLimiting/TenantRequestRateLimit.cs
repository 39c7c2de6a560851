using CredentialService.Infrastructure.Auth;
using CredentialService.Infrastructure.Telemetry;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace CredentialService.RateLimiting;

/// <summary>
/// A bucket per tenant for one kind of request (<c>{kind}:{tenant}</c>) on the shared limiter, so the limit holds across
/// every instance, and the 429 problem a refused caller reads (counted in the rate-limited metric). A kind says its
/// rate; by default the burst is twice the rate, there is no queue, and the problem names the kind.
/// </summary>
public abstract class TenantRequestRateLimit(string kind, IOptions<TenancyOptions> tenancy, ServiceMetrics metrics)
    : ISharedRateLimitPolicy
{
    /// <summary>Requests of this kind per tenant and second, read on every request (options may reload).</summary>
    protected abstract double PerSecond { get; }

    protected virtual int Burst => Math.Max(1, (int)Math.Ceiling(2 * PerSecond));

    /// <summary>How long a request over the rate may wait for a slot before it is refused.</summary>
    protected virtual TimeSpan MaxWait => TimeSpan.Zero;

    /// <inheritdoc />
    public virtual bool BatchesLocally => false;

    /// <summary>The title and detail of the 429; its status and <c>Retry-After</c> are set by the filter.</summary>
    protected virtual ProblemDetails Problem(RateLimit limit, int retryAfterSeconds) => new()
    {
        Title = "Too many requests",
        Detail = $"This tenant may make {limit.PerSecond} {kind} requests per second, across every instance of the " +
                 $"service. Try again in {retryAfterSeconds} second(s).",
    };

    /// <summary>The tenant's bucket of <paramref name="kind"/> requests.</summary>
    public static string BucketOf(string kind, string tenantId) => $"{kind}:{tenantId}";

    public (string BucketKey, RateLimit Limit, TimeSpan MaxWait)? BucketFor(HttpContext context) =>
        Caller.TenantOf(context.User, tenancy.Value.ClaimType) is { } tenant ? BucketFor(tenant) : null;

    /// <summary>The caller's bucket, for an endpoint that takes its slot itself (e.g. together with its read).</summary>
    public (string BucketKey, RateLimit Limit, TimeSpan MaxWait) BucketFor(Caller caller) => BucketFor(caller.TenantId);

    private (string BucketKey, RateLimit Limit, TimeSpan MaxWait) BucketFor(string tenant) =>
        (BucketOf(kind, tenant), new RateLimit(PerSecond, Burst), MaxWait);

    public ProblemDetails Refused(HttpContext context, RateLimit limit, int retryAfterSeconds)
    {
        metrics.RateLimited();
        return Problem(limit, retryAfterSeconds);
    }
}
