using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using System.Globalization;
using CredentialService.ConnectionTests;
using CredentialService.Credentials;
using CredentialService.Infrastructure.Auth;
using CredentialService.Infrastructure.Errors;
using CredentialService.Infrastructure.Telemetry;
using CredentialService.RateLimiting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;

namespace CredentialService.Proxy;

/// <summary>
/// <c>{GET|POST|PUT|PATCH|DELETE} /v1/credentials/{id}/proxy/{path}</c>: Customer.io's App API called with the
/// credential's key, in the credential's region, within its workspace's rate limit, without the caller ever holding
/// the key (DESIGN §8). Forwarding (streaming both ways, hop-by-hop headers, cancellation) is YARP's
/// <see cref="IHttpForwarder"/>; this class decides whether and where a request may go.
/// </summary>
public static partial class ProxyApi
{
    private static readonly string AdmissionSql = SharedRateLimiter.AcquireForRowSql(StoredKeyQuery.Sql);

    public const string ProblemTypeBase = "https://credential-service/problems/";
    public static readonly string[] Methods = ["GET", "POST", "PUT", "PATCH", "DELETE"];

    public static RouteGroupBuilder MapProxy(this IEndpointRouteBuilder routes)
    {
        var options = routes.ServiceProvider.GetRequiredService<IOptions<ProxyOptions>>().Value;
        var group = routes.MapGroup("/v1/credentials")
            .WithTags("Proxy")
            .RequireAuthorization(Scopes.Proxy)
            .WithMetadata(new ProxyRequestSizeLimit(options.MaxRequestBytes))
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status502BadGateway)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .ProducesProblem(StatusCodes.Status504GatewayTimeout);

        foreach (var method in Methods)
        {
            var name = method[0] + method[1..].ToLowerInvariant();
            group.MapMethods("/{id:guid}/proxy/{**path}", [method], Forward)
                .WithName($"Proxy{name}")
                .WithSummary($"{method} a Customer.io App API path with the credential's key")
                .WithDescription(
                    $"Sends {method} {{region base URL}}/{{path}}?{{query}} with the credential's key as the Bearer token and returns " +
                    "Customer.io's answer as it came (X-Credential-Proxy: upstream). path must start with v1/, e.g. " +
                    "v1/customers/42/attributes. The service's own problems carry X-Credential-Proxy: service. Limited per " +
                    "credential (general 10/s, campaign triggers 1 per 10 s, v1/send/... 100/s), queued up to Proxy:MaxQueueSeconds.")
                .Produces(StatusCodes.Status200OK, contentType: "application/json")
                .Accepts<object>(isOptional: true, "application/json");
        }

        return group;
    }

    public static async Task<IResult> Forward(
        Guid id,
        [MaxLength(ProxyPath.MaxLength), RegularExpression("^v1/.+", ErrorMessage = "The path must start with v1/.")] string? path,
        Caller caller, HttpContext http, ProxyKeyCache keys,
        SharedRateLimiter limiter, IHttpForwarder forwarder, ProxyInvoker invoker, IOptions<ProxyOptions> options,
        IOptions<CustomerIoOptions> customerIo, ServiceMetrics metrics, ILogger<ProxyInvoker> logger)
    {
        var started = Stopwatch.GetTimestamp();
        var method = http.Request.Method.ToUpperInvariant();
        var rawTarget = http.Features.Get<IHttpRequestFeature>()?.RawTarget is { Length: > 0 } raw && raw[0] == '/'
            ? raw
            : http.Request.PathBase.ToUriComponent() + http.Request.Path.ToUriComponent() + http.Request.QueryString.ToUriComponent();
        if (!ProxyPath.TryParse(rawTarget, out var target, out var pathProblem))
        {
            LogRefused(logger, method, id, "path", StatusCodes.Status400BadRequest);
            return Problem(StatusCodes.Status400BadRequest, "proxy-path-invalid", "The proxy path is not allowed", pathProblem + " Nothing was sent.");
        }

        var limitBytes = options.Value.MaxRequestBytes;
        if (http.Request.ContentLength > limitBytes)
        {
            LogRefused(logger, method, id, target.Summary, StatusCodes.Status413PayloadTooLarge);
            return Problem(StatusCodes.Status413PayloadTooLarge, "proxy-request-too-large", "The request body is too large",
                $"Proxied request bodies may be at most {limitBytes} bytes (Proxy:MaxRequestBytes). Nothing was sent.");
        }

        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = limitBytes;

        // The credential and a slot of its bucket in one round trip; no credential (or another tenant's): nothing taken.
        var endpointClass = target.ClassFor(method);
        var bucket = $"proxy:{id:N}:{endpointClass.ToString().ToLowerInvariant()}";
        var limit = ProxyPath.LimitOf(endpointClass, options.Value);
        var admitted = await limiter.AcquireForRowAsync(bucket, limit, TimeSpan.FromSeconds(options.Value.MaxQueueSeconds),
            AdmissionSql, StoredKeyQuery.Parameters(id, caller.TenantId), StoredKeyQuery.Read, http.RequestAborted);
        if (admitted is not var (credential, decision))
        {
            LogRefused(logger, method, id, target.Summary, StatusCodes.Status404NotFound);
            return Problem(StatusCodes.Status404NotFound, "not-found", "Credential not found",
                $"There is no credential {id} in this tenant.");
        }

        var region = credential.Region;
        if (!decision.Granted)
        {
            metrics.ProxyRefused(region);
            LogRefused(logger, method, id, target.Summary, StatusCodes.Status429TooManyRequests);
            return ProblemSetup.TooManyRequests(http, ProblemOf(StatusCodes.Status429TooManyRequests, "proxy-rate-limited",
                "Too many requests for this credential",
                $"This credential's {Describe(endpointClass)} limit ({Describe(limit)}) has no free slot within " +
                $"{options.Value.MaxQueueSeconds} s. Nothing was sent. Try again in {decision.RetryAfterSeconds} second(s)."),
                decision.RetryAfterSeconds);
        }

        // A slot taken for a request refused below (undecryptable key, a path that leaves the base URL) is not given
        // back: it is rare, and Customer.io then simply gets one request less in that second.
        var key = keys.KeyOf(id, caller.TenantId, credential.Version, credential.AppApiKeyCiphertext); // 409 when undecryptable

        var baseUrl = customerIo.Value.BaseUrl(region);
        var destination = new Uri(baseUrl + target.Path + target.Query, UriKind.Absolute);
        if (!IsUnder(destination, baseUrl))
        {
            LogRefused(logger, method, id, target.Summary, StatusCodes.Status400BadRequest);
            return Problem(StatusCodes.Status400BadRequest, "proxy-path-invalid", "The proxy path is not allowed",
                $"The path does not stay under the {Region.DisplayName(region)} base URL. Nothing was sent.");
        }

        metrics.ProxyQueued(region, decision.Wait);
        if (decision.Wait > TimeSpan.Zero) await Task.Delay(decision.Wait, http.RequestAborted);

        using var activity = ProxySetup.ActivitySource.StartActivity($"proxy {method} {target.Summary}", ActivityKind.Client);
        activity?.SetTag("credential.id", id.ToString());
        activity?.SetTag("credential.region", region);
        activity?.SetTag("proxy.path", target.Summary);
        activity?.SetTag("http.request.method", method);

        var transformer = new ProxyTransformer(destination, key);
        var error = await forwarder.SendAsync(http, baseUrl.ToString(), invoker, invoker.RequestConfig, transformer, http.RequestAborted);
        activity?.SetTag("http.response.status_code", transformer.UpstreamStatus);

        if (transformer.UpstreamStatus == StatusCodes.Status429TooManyRequests)
        {
            metrics.ProxyUpstreamRateLimited(region);
            var pause = transformer.RetryAfter is { } after && after > TimeSpan.Zero ? after : TimeSpan.FromSeconds(1);
            var cap = TimeSpan.FromSeconds(options.Value.MaxRetryAfterSeconds);
            await limiter.PauseAsync(bucket, pause < cap ? pause : cap, CancellationToken.None);
        }

        IResult result = Results.Empty;
        if (transformer.Redirected)
        {
            result = Redirect(transformer.RedirectLocation, region, customerIo.Value);
        }
        else if (error != ForwarderError.None && !http.Response.HasStarted)
        {
            result = (IResult?)ForwardingProblem(error, http, options.Value) ?? Results.Empty;
        }

        var status = transformer.Redirected ? StatusCodes.Status502BadGateway
            : error == ForwarderError.None ? http.Response.StatusCode
            : result is IStatusCodeHttpResult { StatusCode: { } s } ? s : 0;
        activity?.SetStatus(status is >= 500 or 0 ? ActivityStatusCode.Error : ActivityStatusCode.Unset);
        metrics.Proxied(region, method, status == 0 ? "none" : $"{status / 100}xx");
        var elapsedMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var forwarderError = error.ToString();
        LogForwarded(logger, method, id, target.Summary, region, status, transformer.UpstreamStatus, elapsedMs, forwarderError);
        return result;
    }

    private static ProblemHttpResult? ForwardingProblem(ForwarderError error, HttpContext http, ProxyOptions options)
    {
        var exception = http.GetForwarderErrorFeature()?.Exception;
        return error switch
        {
            ForwarderError.RequestTimedOut => Problem(StatusCodes.Status504GatewayTimeout, "proxy-upstream-timeout",
                "Customer.io did not answer in time",
                $"No answer from Customer.io within {options.TimeoutSeconds} s (Proxy:TimeoutSeconds). The request may or may not have been processed."),
            ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.ResponseBodyCanceled => null, // the caller went away
            ForwarderError.RequestBodyClient when exception is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
                Problem(StatusCodes.Status413PayloadTooLarge, "proxy-request-too-large", "The request body is too large",
                    $"Proxied request bodies may be at most {options.MaxRequestBytes} bytes (Proxy:MaxRequestBytes)."),
            ForwarderError.RequestBodyClient => Problem(StatusCodes.Status400BadRequest, "proxy-request-body", "The request body could not be read",
                "The request body ended early or was malformed."),
            _ => Problem(StatusCodes.Status502BadGateway, "proxy-upstream-unreachable", "Customer.io could not be reached",
                "Connecting to Customer.io failed (DNS, connection or TLS) or the connection broke before an answer. Nothing came back; retry later."),
        };
    }

    private static ProblemHttpResult Redirect(Uri? location, string region, CustomerIoOptions customerIo)
    {
        var other = Region.Other(region);
        var host = location?.Host;
        var toOtherRegion = host is not null
                            && (string.Equals(host, customerIo.BaseUrl(other).Host, StringComparison.OrdinalIgnoreCase) && location!.Port == customerIo.BaseUrl(other).Port
                                || (other == Region.Eu && host.EndsWith(".customer.io", StringComparison.OrdinalIgnoreCase) && host.Split('.')[0].EndsWith("-eu", StringComparison.OrdinalIgnoreCase)));
        var where = host is null ? "without a Location" : $"to {host}";
        var detail = toOtherRegion
            ? $"Customer.io redirected the request {where}, the {Region.DisplayName(other)} region: this credential's region " +
              $"({region}) is wrong. Change it to {other}. The redirect was not followed; nothing was sent there."
            : $"Customer.io answered with a redirect {where}. Redirects are never followed (the key must not travel to a host nobody chose); nothing was sent there.";
        return Problem(StatusCodes.Status502BadGateway, "proxy-upstream-redirect", "Customer.io answered with a redirect", detail,
            host is null ? null : new Dictionary<string, object?> { ["locationHost"] = host, ["wrongRegion"] = toOtherRegion });
    }

    private static bool IsUnder(Uri destination, Uri baseUrl) =>
        destination.Scheme == baseUrl.Scheme && destination.IdnHost == baseUrl.IdnHost && destination.Port == baseUrl.Port
        && destination.AbsolutePath.StartsWith(baseUrl.AbsolutePath, StringComparison.Ordinal);

    private static string Describe(EndpointClass endpointClass) => endpointClass switch
    {
        EndpointClass.Triggers => "campaign-trigger",
        EndpointClass.Transactional => "transactional",
        _ => "general",
    };

    private static string Describe(RateLimit limit) =>
        limit.PerSecond >= 1 ? $"{limit.PerSecond.ToString(CultureInfo.InvariantCulture)}/s" : $"1 per {(1 / limit.PerSecond).ToString(CultureInfo.InvariantCulture)} s";

    private static ProblemHttpResult Problem(int status, string type, string title, string detail, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(ProblemOf(status, type, title, detail, extensions));

    private static ProblemDetails ProblemOf(int status, string type, string title, string detail, IDictionary<string, object?>? extensions = null) =>
        new()
        {
            Status = status,
            Type = ProblemTypeBase + type,
            Title = title,
            Detail = detail,
            Extensions = extensions ?? new Dictionary<string, object?>(),
        };

    // Only the method, the first two path segments, the status and the duration: never the query or later segments.
    [LoggerMessage(Level = LogLevel.Information,
        Message = "Proxy {Method} {PathSummary} for credential {CredentialId} ({Region}) answered {Status} (Customer.io {UpstreamStatus}) in {ElapsedMs:0.0} ms, forwarder {ForwarderError}")]
    private static partial void LogForwarded(ILogger logger, string method, Guid credentialId, string pathSummary, string region,
        int status, int? upstreamStatus, double elapsedMs, string forwarderError);

    [LoggerMessage(Level = LogLevel.Information, Message = "Proxy {Method} {PathSummary} for credential {CredentialId} refused with {Status}; nothing sent")]
    private static partial void LogRefused(ILogger logger, string method, Guid credentialId, string pathSummary, int status);
}

/// <summary>Tells the problem middleware that the proxy enforces its own body limit.</summary>
internal sealed record ProxyRequestSizeLimit(long? MaxRequestBodySize) : IRequestSizeLimitMetadata;
