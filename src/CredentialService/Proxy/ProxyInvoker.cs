using System.Net;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;

namespace CredentialService.Proxy;

/// <summary>
/// The one long-lived client the proxy sends through: no redirects, no cookies, no proxy, no decompression (bodies
/// pass as they came), and no trace-context propagation (with no propagator the handler adds no diagnostics
/// handler: no <c>traceparent</c> goes to Customer.io and no span records the full URL).
/// </summary>
public sealed class ProxyInvoker(IOptions<ProxyOptions> options) : HttpMessageInvoker(new SocketsHttpHandler
{
    AllowAutoRedirect = false,
    UseCookies = false,
    UseProxy = false,
    AutomaticDecompression = DecompressionMethods.None,
    ActivityHeadersPropagator = null,
    PooledConnectionLifetime = TimeSpan.FromMinutes(2), // picks up DNS changes
    ConnectTimeout = TimeSpan.FromSeconds(Math.Min(options.Value.TimeoutSeconds, 30)),
    EnableMultipleHttp2Connections = true,
})
{
    public ForwarderRequestConfig RequestConfig { get; } = new()
    {
        // Idle time allowed on the upstream call, the wait for the answer's headers included: past it, 504.
        ActivityTimeout = TimeSpan.FromSeconds(options.Value.TimeoutSeconds),
    };
}
