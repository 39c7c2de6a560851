using CredentialService.Credentials;

namespace CredentialService.ConnectionTests;

/// <summary>An outcome with the sentence a person reads, before it is dated and timed as a <see cref="TestResult"/>.</summary>
internal sealed record Verdict(
    string Outcome, int? UpstreamStatus, string Message, int? RetryAfterSeconds = null, IReadOnlyList<Workspace>? Workspaces = null)
{
    /// <summary>The verdict of a test of <paramref name="region"/>; <c>suggestedRegion</c> is the other one when it is wrong.</summary>
    public TestResult ToResult(string region, TimeSpan elapsed, DateTime testedAt) => new(
        Success: Outcome == TestOutcome.Ok,
        Outcome: Outcome,
        Message: Message,
        Region: region,
        ApiDomain: Region.ApiDomain(region),
        SuggestedRegion: Outcome == TestOutcome.WrongRegion ? Region.Other(region) : null,
        UpstreamStatus: UpstreamStatus,
        RetryAfterSeconds: RetryAfterSeconds,
        LatencyMs: (long)elapsed.TotalMilliseconds,
        TestedAt: testedAt,
        Workspaces: Outcome == TestOutcome.Ok ? Workspaces : null);
}

/// <summary>
/// Every verdict a connection test can reach, and its message: written only here, for <see cref="CustomerIoClient"/>
/// and for the examples of the OpenAPI document (Infrastructure/OpenApi/OperationDocumentation), which therefore show
/// what the service says, word for word.
/// </summary>
internal static class Verdicts
{
    public static Verdict Ok(string region, int status, IReadOnlyList<Workspace>? workspaces) =>
        new(TestOutcome.Ok, status, $"The key works in the {Describe(region)}.", Workspaces: workspaces);

    /// <summary>A redirect, or a "wrong datacenter" answer, pointing at the other region.</summary>
    public static Verdict PointedToOtherRegion(string region, int status) =>
        new(TestOutcome.WrongRegion, status,
            $"Customer.io answered that this key belongs to the {Describe(Region.Other(region))}. " +
            $"Change the credential's region to {Region.Other(region)}.");

    public static Verdict RedirectedElsewhere(int status, Uri? location) =>
        new(TestOutcome.UpstreamError, status,
            $"Customer.io answered with a redirect (HTTP {status}) to {location?.Host ?? "no location"}. " +
            "It was not followed, so the key was not sent to a host nobody chose. Try again later.");

    /// <summary>A 401 that says "wrong datacenter".</summary>
    public static Verdict SaysOtherDatacenter(string region, int status) =>
        new(TestOutcome.WrongRegion, status,
            $"Customer.io answered that this key belongs to the other data center: the {Describe(Region.Other(region))}. " +
            $"Change the credential's region to {Region.Other(region)}.");

    /// <summary>A 401 when the other region is not probed (<c>CustomerIo:ProbeOtherRegion=false</c>).</summary>
    public static Verdict RejectedNotProbed(string region, int status) =>
        new(TestOutcome.InvalidKey, status,
            $"Customer.io rejected the key in the {Describe(region)} (HTTP 401). Either the key is wrong " +
            $"(check it is an App API Key, not a Tracking API key, copied completely and not deleted), or the " +
            $"workspace is in the {Describe(Region.Other(region))}: try region {Region.Other(region)}.");

    /// <summary>A 401 here, and the probe showed the key works in the other region.</summary>
    public static Verdict WorksInOtherRegion(string region, int status) =>
        new(TestOutcome.WrongRegion, status,
            $"The key is valid in the {Describe(Region.Other(region))}. Change the credential's region to {Region.Other(region)}.");

    /// <summary>A 401 here and in the other region.</summary>
    public static Verdict RejectedInBoth(string region, int status) =>
        new(TestOutcome.InvalidKey, status,
            $"Customer.io rejected the key in the {Describe(region)} and in the {Describe(Region.Other(region))} (HTTP 401). " +
            "Check that it is an App API Key (not a Tracking API key or a service-account token), that it was " +
            "copied completely, and that it has not been deleted in Customer.io. If the workspace's region is " +
            "right, create a new App API Key.");

    public static Verdict Forbidden(string region, int status) =>
        new(TestOutcome.Forbidden, status,
            $"Customer.io recognised the key but refused access (HTTP 403, {Describe(region)}): the key may lack " +
            "the permission to read workspaces, or this service's IP address is not on the workspace's IP " +
            "allowlist. Check the key's access and the allowlist in Customer.io.");

    public static Verdict RateLimited(int status, int? retryAfterSeconds) =>
        new(TestOutcome.RateLimited, status,
            "Customer.io is rate limiting this workspace (10 requests per second, shared with your own traffic). " +
            (retryAfterSeconds is { } s ? $"Try again in {s} seconds." : "Try again in a few seconds."),
            retryAfterSeconds);

    public static Verdict UpstreamError(string region, int status) =>
        new(TestOutcome.UpstreamError, status,
            $"Customer.io answered with HTTP {status} ({Describe(region)}): the problem is on Customer.io's side, " +
            "not with the key. Try again later and check status.customer.io.");

    public static Verdict Timeout(string region, int timeoutSeconds) =>
        new(TestOutcome.Timeout, null,
            $"Customer.io did not answer within {timeoutSeconds} seconds ({Describe(region)}). " +
            "Try again; if it keeps happening, check status.customer.io and this service's network path to Customer.io.");

    public static Verdict Unreachable(string region, HttpRequestError error) =>
        new(TestOutcome.Unreachable, null,
            $"Could not connect to Customer.io ({Describe(region)}): {ReasonOf(error)}. " +
            "Check DNS, firewall and proxy settings between this service and Customer.io.");

    private static string Describe(string region) => $"{Region.DisplayName(region)} region ({Region.ApiDomain(region)})";

    private static string ReasonOf(HttpRequestError error) => error switch
    {
        HttpRequestError.NameResolutionError => "the host name could not be resolved",
        HttpRequestError.ConnectionError => "the connection was refused or could not be established",
        HttpRequestError.SecureConnectionError => "the TLS handshake failed",
        _ => "the request failed before an answer arrived",
    };
}
