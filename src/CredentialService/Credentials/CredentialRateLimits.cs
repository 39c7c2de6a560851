using CredentialService.Infrastructure.Auth;
using CredentialService.Infrastructure.Telemetry;
using CredentialService.RateLimiting;
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

/// <summary>The list and the write requests of a tenant: burst twice the rate, queued up to <c>RateLimiting:MaxQueueSeconds</c>.</summary>
public abstract class CredentialRequestRateLimit(
    string kind, IOptions<TenantRequestLimitOptions> options, IOptions<TenancyOptions> tenancy, ServiceMetrics metrics)
    : TenantRequestRateLimit(kind, tenancy, metrics)
{
    protected TenantRequestLimitOptions Options => options.Value;

    protected override TimeSpan MaxWait => TimeSpan.FromSeconds(Options.MaxQueueSeconds);

    /// <summary>Lists and writes are the hot paths: one bucket statement per batch of slots, not per request.</summary>
    public override bool BatchesLocally => true;
}

public sealed class CredentialListRateLimit(IOptions<TenantRequestLimitOptions> o, IOptions<TenancyOptions> t, ServiceMetrics m)
    : CredentialRequestRateLimit("list", o, t, m)
{
    protected override double PerSecond => Options.ListRequestsPerSecondPerTenant;
}

public sealed class CredentialWriteRateLimit(IOptions<TenantRequestLimitOptions> o, IOptions<TenancyOptions> t, ServiceMetrics m)
    : CredentialRequestRateLimit("write", o, t, m)
{
    protected override double PerSecond => Options.WriteRequestsPerSecondPerTenant;
}
