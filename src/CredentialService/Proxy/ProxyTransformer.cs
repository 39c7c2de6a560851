using System.Net.Http.Headers;
using CredentialService.Credentials;
using Yarp.ReverseProxy.Forwarder;

namespace CredentialService.Proxy;

/// <summary>
/// Shapes one forwarded request and its answer (DESIGN §8): the request goes to the credential's own base URL with
/// the key as its only credential, none of the caller's credentials, addresses or trace context; the answer comes
/// back as it came, without cookies, marked <c>X-Credential-Proxy: upstream</c>. A redirect is not passed on: it is
/// held for the endpoint to turn into a 502 problem.
/// </summary>
internal sealed class ProxyTransformer(Uri destination, AppApiKey key) : HttpTransformer
{
    public const string MarkerHeader = "X-Credential-Proxy";

    /// <summary>Request headers never sent to Customer.io (hop-by-hop ones are also dropped by YARP itself).</summary>
    private static readonly HashSet<string> NeverForwarded = new(StringComparer.OrdinalIgnoreCase)
    {
        "Authorization", "Cookie", "Host", "Forwarded", "Connection", "Keep-Alive", "TE", "Trailer", "Transfer-Encoding",
        "Upgrade", "Via", "X-Real-IP", "X-Credential-Proxy",
        // Our trace context is not a third party's business.
        "traceparent", "tracestate", "baggage", "Request-Id", "Correlation-Context",
    };

    /// <summary>The answer's status, when one came.</summary>
    public int? UpstreamStatus { get; private set; }

    /// <summary>Set when Customer.io answered with a redirect; its body was not passed on.</summary>
    public Uri? RedirectLocation { get; private set; }

    public bool Redirected { get; private set; }

    /// <summary>Customer.io's Retry-After on a 429, when it gave one.</summary>
    public TimeSpan? RetryAfter { get; private set; }

    public override async ValueTask TransformRequestAsync(
        HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);

        foreach (var name in proxyRequest.Headers.Select(h => h.Key).ToList())
        {
            if (IsNeverForwarded(name)) proxyRequest.Headers.Remove(name);
        }

        // Headers named by the caller's Connection header are hop-by-hop too.
        foreach (var named in httpContext.Request.Headers.Connection.SelectMany(v => (v ?? "").Split(',')))
        {
            if (named.Trim() is { Length: > 0 } header) proxyRequest.Headers.Remove(header);
        }

        proxyRequest.Headers.Host = null;
        proxyRequest.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key.Reveal());
        proxyRequest.RequestUri = destination;
    }

    public override async ValueTask<bool> TransformResponseAsync(
        HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        if (proxyResponse is null) return false;
        var status = (int)proxyResponse.StatusCode;
        UpstreamStatus = status;
        if (status is >= 300 and < 400 and not 304)
        {
            Redirected = true;
            RedirectLocation = proxyResponse.Headers.Location is { } location
                ? location.IsAbsoluteUri ? location : new Uri(destination, location)
                : null;
            return false; // nothing of the redirect reaches the caller; the endpoint answers 502
        }

        if (status == StatusCodes.Status429TooManyRequests)
        {
            RetryAfter = proxyResponse.Headers.RetryAfter switch
            {
                { Delta: { } delta } => delta,
                { Date: { } date } => date - DateTimeOffset.UtcNow,
                _ => null,
            };
        }

        var copy = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        var headers = httpContext.Response.Headers;
        headers.Remove("Set-Cookie");
        headers.Remove("Set-Cookie2");
        headers[MarkerHeader] = "upstream";
        return copy;
    }

    private static bool IsNeverForwarded(string name) =>
        NeverForwarded.Contains(name)
        || name.StartsWith("X-Forwarded-", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("Proxy-", StringComparison.OrdinalIgnoreCase);
}
