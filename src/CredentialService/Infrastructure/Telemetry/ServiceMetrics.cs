using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace CredentialService.Infrastructure.Telemetry;

/// <summary>
/// The service's own metrics (meter <c>CredentialService</c>). Tags are low-cardinality only: outcome, region,
/// status code, action — never a tenant or credential id.
/// </summary>
public sealed class ServiceMetrics
{
    public const string MeterName = "CredentialService";

    private readonly Counter<long> connectionTests;
    private readonly Histogram<double> connectionTestDuration;
    private readonly Counter<long> upstreamResponses;
    private readonly Counter<long> credentialChanges;
    private readonly Counter<long> secretReads;
    private readonly Counter<long> rewrapped;
    private readonly Counter<long> rateLimitRejections;
    private readonly Counter<long> databaseUnavailable;
    private readonly Counter<long> proxyRequests;
    private readonly Histogram<double> proxyQueued;
    private readonly Counter<long> proxyRefused;
    private readonly Counter<long> proxyUpstream429;
    private readonly Counter<long> queryTimeouts;

    public ServiceMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        connectionTests = meter.CreateCounter<long>("credential_service.connection_tests", "{test}",
            "Connection tests against Customer.io, by outcome and region.");
        connectionTestDuration = meter.CreateHistogram<double>("credential_service.connection_test.duration", "s",
            "Duration of connection tests, including the probe of the other region.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
        upstreamResponses = meter.CreateCounter<long>("credential_service.customerio.responses", "{response}",
            "Answers from Customer.io's GET /v1/workspaces, by HTTP status code and region.");
        credentialChanges = meter.CreateCounter<long>("credential_service.credential_changes", "{change}",
            "Credentials created, updated, key_rotated and deleted.");
        secretReads = meter.CreateCounter<long>("credential_service.secret_reads", "{read}",
            "Plaintext keys handed to the runtime.");
        rewrapped = meter.CreateCounter<long>("credential_service.rewrap.credentials", "{credential}",
            "Credentials re-protected by bulk rewrap (result=rewrapped) or that could not be decrypted (result=failed).");
        rateLimitRejections = meter.CreateCounter<long>("credential_service.rate_limit.rejections", "{request}",
            "Requests refused by the per-tenant connection-test rate limit.");
        databaseUnavailable = meter.CreateCounter<long>("credential_service.database_unavailable", "{response}",
            "Requests answered 503 because the database was unavailable.");
        proxyRequests = meter.CreateCounter<long>("credential_service.proxy.requests", "{request}",
            "Requests forwarded to Customer.io through the proxy, by region, method and status class of the answer.");
        proxyQueued = meter.CreateHistogram<double>("credential_service.proxy.queue.duration", "s",
            "Time proxied requests waited for a slot of their credential's rate limit.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
        proxyRefused = meter.CreateCounter<long>("credential_service.proxy.rate_limit.rejections", "{request}",
            "Proxy requests refused with 429 because their credential's bucket had no slot within Proxy:MaxQueueSeconds.");
        proxyUpstream429 = meter.CreateCounter<long>("credential_service.proxy.upstream_rate_limited", "{response}",
            "429 answers from Customer.io to proxied requests (each pauses the credential's bucket).");
        queryTimeouts = meter.CreateCounter<long>("credential_service.query_timeouts", "{response}",
            "Requests answered 504 because a database statement ran out of time (the database itself answered).");
    }

    public void ConnectionTested(string outcome, string region, TimeSpan duration)
    {
        var tags = new TagList { { "outcome", outcome }, { "region", region } };
        connectionTests.Add(1, tags);
        connectionTestDuration.Record(duration.TotalSeconds, tags);
    }

    public void UpstreamAnswered(int statusCode, string region) =>
        upstreamResponses.Add(1, new TagList { { "http.response.status_code", statusCode }, { "region", region } });

    public void CredentialChanged(string action) => credentialChanges.Add(1, new KeyValuePair<string, object?>("action", action));

    public void SecretRead() => secretReads.Add(1);

    public void Rewrap(string result, int count)
    {
        if (count > 0) rewrapped.Add(count, new KeyValuePair<string, object?>("result", result));
    }

    public void RateLimited() => rateLimitRejections.Add(1);

    public void DatabaseUnavailable() => databaseUnavailable.Add(1);

    /// <summary><paramref name="statusClass"/>: 2xx..5xx of the answer the caller got, or <c>none</c> when none came.</summary>
    public void Proxied(string region, string method, string statusClass) =>
        proxyRequests.Add(1, new TagList { { "region", region }, { "http.request.method", method }, { "status_class", statusClass } });

    public void ProxyQueued(string region, TimeSpan waited) =>
        proxyQueued.Record(waited.TotalSeconds, new KeyValuePair<string, object?>("region", region));

    public void ProxyRefused(string region) => proxyRefused.Add(1, new KeyValuePair<string, object?>("region", region));

    public void ProxyUpstreamRateLimited(string region) => proxyUpstream429.Add(1, new KeyValuePair<string, object?>("region", region));

    public void QueryTimedOut() => queryTimeouts.Add(1);
}
