using System.ComponentModel.DataAnnotations;
using CredentialService.Infrastructure.OpenApi;

namespace CredentialService.ConnectionTests;

/// <summary>The verdict of one call to Customer.io's <c>GET /v1/workspaces</c> with a key (docs/api.md §Connection tests).</summary>
public sealed record TestResult(
    bool Success,
    [property: ValuesOf(typeof(TestOutcome))] string Outcome,
    [property: MaxLength(TestOutcome.MaxMessageLength)] string Message,
    [property: AllowedValues(Credentials.Region.Us, Credentials.Region.Eu)] string Region,
    [property: AllowedValues(Credentials.Region.UsApiDomain, Credentials.Region.EuApiDomain)] string ApiDomain,
    [property: AllowedValues(Credentials.Region.Us, Credentials.Region.Eu)] string? SuggestedRegion,
    [property: Range(100, 599)] int? UpstreamStatus,
    [property: Range(0, int.MaxValue)] int? RetryAfterSeconds,
    [property: Range(0, int.MaxValue)] long LatencyMs,
    DateTime TestedAt);

/// <summary>The outcome codes of a test; their spelling is part of the contract.</summary>
public static class TestOutcome
{
    /// <summary>Messages are this service's sentences; the only outside part is a host name (at most 253 characters).</summary>
    internal const int MaxMessageLength = 1000;

    public const string Ok = "ok";
    public const string InvalidKey = "invalid_key";
    public const string WrongRegion = "wrong_region";
    public const string Forbidden = "forbidden";
    public const string RateLimited = "rate_limited";
    public const string UpstreamError = "upstream_error";
    public const string Timeout = "timeout";
    public const string Unreachable = "unreachable";
}
