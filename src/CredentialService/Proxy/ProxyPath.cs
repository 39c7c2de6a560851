using System.Diagnostics.CodeAnalysis;
using CredentialService.RateLimiting;

namespace CredentialService.Proxy;

/// <summary>The endpoint classes of Customer.io's limits: each has a bucket of its own per credential.</summary>
public enum EndpointClass
{
    General,
    Triggers,
    Transactional,
}

/// <summary>
/// The Customer.io path a caller asked for, as it came on the wire (still percent-encoded), checked so it can only
/// name a path under the credential's own base URL. Only <see cref="Summary"/> (the first two segments) may be
/// logged: later segments and the query carry customers' personal data.
/// </summary>
public sealed class ProxyPath
{
    private const string RoutePrefix = "/v1/credentials/";

    /// <summary>Longest path accepted (as sent, percent-encoded); longer ones are refused like any invalid path.</summary>
    public const int MaxLength = 4096;

    private ProxyPath(string path, string query)
    {
        Path = path;
        Query = query;
        var second = path.IndexOf('/', path.IndexOf('/') + 1);
        Summary = second < 0 ? path : path[..second];
    }

    /// <summary>The path after <c>/proxy/</c>, percent-encoded as sent, e.g. <c>v1/customers/jane%40example.com</c>.</summary>
    public string Path { get; }

    /// <summary>The query string with its <c>?</c>, or empty; passed on unchanged.</summary>
    public string Query { get; }

    /// <summary>The first two segments, e.g. <c>v1/customers</c>: all that logs, traces and metrics may carry.</summary>
    public string Summary { get; }

    public EndpointClass ClassFor(string method) =>
        Path.StartsWith("v1/send/", StringComparison.Ordinal) ? EndpointClass.Transactional
        : HttpMethods.IsPost(method) && IsCampaignTrigger(Path) ? EndpointClass.Triggers
        : EndpointClass.General;

    public static RateLimit LimitOf(EndpointClass endpointClass, ProxyOptions options) => endpointClass switch
    {
        EndpointClass.Triggers => new RateLimit(0.1, 1),                 // API-triggered broadcasts: 1 per 10 s
        EndpointClass.Transactional => new RateLimit(100, 100),          // transactional messages: 100/s
        _ => new RateLimit(options.RequestsPerSecondPerCredential,
            Math.Max(1, (int)Math.Ceiling(options.RequestsPerSecondPerCredential))),
    };

    /// <summary>
    /// Reads the path from the raw request target (what the caller sent, before the server decoded it or removed
    /// dot segments) and checks it: starts with <c>v1/</c>; no <c>.</c> or <c>..</c> segment, no empty segment,
    /// no backslash, no encoded <c>/</c>, <c>\</c> or <c>.</c>, no scheme or authority, no control characters.
    /// </summary>
    public static bool TryParse(string rawTarget, [NotNullWhen(true)] out ProxyPath? path, [NotNullWhen(false)] out string? problem)
    {
        path = null;
        var queryStart = rawTarget.IndexOf('?');
        var rawPath = queryStart < 0 ? rawTarget : rawTarget[..queryStart];
        var query = queryStart < 0 ? "" : rawTarget[queryStart..];

        // "/v1/credentials/{id}/proxy/" exactly as sent: a target that only became this route once the server
        // resolved its dot segments (".../x/../proxy/...") is refused, not forwarded.
        var segments = rawPath.Split('/', 6);
        if (segments.Length < 6 || segments[0].Length != 0
            || !rawPath.StartsWith(RoutePrefix, StringComparison.OrdinalIgnoreCase)
            || !string.Equals(segments[4], "proxy", StringComparison.OrdinalIgnoreCase)
            || !Guid.TryParse(segments[3], out _))
        {
            problem = "The request target is not of the form /v1/credentials/{id}/proxy/v1/....";
            return false;
        }

        var rest = segments[5];
        problem = rest.Length > MaxLength ? $"The path must be at most {MaxLength} characters." : Check(rest) ?? CheckQuery(query);
        if (problem is not null) return false;
        path = new ProxyPath(rest, query);
        return true;
    }

    private static string? Check(string path)
    {
        if (!path.StartsWith("v1/", StringComparison.Ordinal) || path.Length == 3)
            return "The path must start with v1/ and name an App API resource, e.g. v1/customers/42/attributes.";
        if (path.Contains("//", StringComparison.Ordinal))
            return "The path must not contain an empty segment (//), a scheme or an authority.";
        if (path.Contains('\\'))
            return "The path must not contain a backslash.";
        foreach (var encoded in (string[])["%2f", "%5c", "%2e", "%00"])
        {
            if (path.Contains(encoded, StringComparison.OrdinalIgnoreCase))
                return $"The path must not contain an encoded '/', '\\', '.' or NUL ({encoded.ToUpperInvariant()}).";
        }

        if (path.Split('/').Any(s => s is "." or ".."))
            return "The path must not contain '.' or '..' segments.";
        if (path.Any(c => char.IsControl(c) || c == ' ') || path.Contains(':', StringComparison.Ordinal) && path.Contains("://", StringComparison.Ordinal))
            return "The path must not contain a scheme, spaces or control characters.";
        return null;
    }

    private static string? CheckQuery(string query) =>
        query.Any(c => char.IsControl(c) || c == ' ') ? "The query string must not contain spaces or control characters." : null;

    private static bool IsCampaignTrigger(string path)
    {
        var parts = path.Split('/');
        return parts is ["v1", "campaigns", { Length: > 0 }, "triggers"];
    }
}
