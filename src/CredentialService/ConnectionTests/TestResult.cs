namespace CredentialService.ConnectionTests;

/// <summary>The verdict of one call to Customer.io's <c>GET /v1/workspaces</c> with a key (DESIGN §4).</summary>
public sealed record TestResult(
    bool Success,
    string Outcome,
    string Message,
    string Region,
    string ApiDomain,
    string? SuggestedRegion,
    int? UpstreamStatus,
    int? RetryAfterSeconds,
    long LatencyMs,
    DateTime TestedAt,
    IReadOnlyList<Workspace>? Workspaces = null);

/// <summary>The outcome codes of a test; their spelling is part of the contract.</summary>
public static class TestOutcome
{
    public const string Ok = "ok";
    public const string InvalidKey = "invalid_key";
    public const string WrongRegion = "wrong_region";
    public const string Forbidden = "forbidden";
    public const string RateLimited = "rate_limited";
    public const string UpstreamError = "upstream_error";
    public const string Timeout = "timeout";
    public const string Unreachable = "unreachable";
}
