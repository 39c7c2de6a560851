using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using CredentialService.Credentials;
using CredentialService.Data;
using CredentialService.Infrastructure.Telemetry;
using Microsoft.Extensions.Options;

namespace CredentialService.ConnectionTests;

/// <summary>
/// Tests an App API Key with <c>GET {base}/v1/workspaces</c> and classifies the answer (docs/api.md §Connection tests).
/// Redirects are never followed and nothing is retried: the key goes only to the configured host of the region
/// asked for (and, after a 401, once to the other region's), and no retry spends the customer's rate limit.
/// </summary>
public sealed class CustomerIoClient(HttpClient http, IOptions<CustomerIoOptions> options, TimeProvider time, ServiceMetrics metrics)
{
    private const string WorkspacesPath = "v1/workspaces";

    public async Task<TestResult> TestAsync(AppApiKey key, string region, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var started = time.GetTimestamp();
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(TimeSpan.FromSeconds(settings.TimeoutSeconds));

        Verdict verdict;
        try
        {
            var answer = await GetWorkspacesAsync(key, region, budget.Token);
            verdict = await ClassifyAsync(answer, key, region, settings, budget.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            verdict = new(TestOutcome.Timeout, null,
                $"Customer.io did not answer within {settings.TimeoutSeconds} seconds ({Describe(region)}). " +
                "Try again; if it keeps happening, check status.customer.io and this service's network path to Customer.io.");
        }
        catch (HttpRequestException ex)
        {
            verdict = new(TestOutcome.Unreachable, null,
                $"Could not connect to Customer.io ({Describe(region)}): {ReasonOf(ex)}. " +
                "Check DNS, firewall and proxy settings between this service and Customer.io.");
        }

        var elapsed = time.GetElapsedTime(started);
        metrics.ConnectionTested(verdict.Outcome, region, elapsed);
        return new TestResult(
            Success: verdict.Outcome == TestOutcome.Ok,
            Outcome: verdict.Outcome,
            Message: verdict.Message,
            Region: region,
            ApiDomain: Region.ApiDomain(region),
            SuggestedRegion: verdict.Outcome == TestOutcome.WrongRegion ? Region.Other(region) : null,
            UpstreamStatus: verdict.UpstreamStatus,
            RetryAfterSeconds: verdict.RetryAfterSeconds,
            LatencyMs: (long)elapsed.TotalMilliseconds,
            TestedAt: time.UtcNowForDatabase());
    }

    private async Task<Verdict> ClassifyAsync(
        UpstreamAnswer answer, AppApiKey key, string region, CustomerIoOptions settings, CancellationToken ct)
    {
        var other = Region.Other(region);
        var status = answer.Status;
        if (answer.IsSuccess)
            return new(TestOutcome.Ok, status, $"The key works in the {Describe(region)}.");

        if (status is >= 300 and < 400)
        {
            return PointsToOtherRegion(answer, other, settings)
                ? new(TestOutcome.WrongRegion, status,
                    $"Customer.io answered that this key belongs to the {Describe(other)}. Change the credential's region to {other}.")
                : new(TestOutcome.UpstreamError, status,
                    $"Customer.io answered with a redirect (HTTP {status}) to {answer.Location?.Host ?? "no location"}. " +
                    "It was not followed, so the key was not sent to a host nobody chose. Try again later.");
        }

        if (answer.Is(HttpStatusCode.Unauthorized))
        {
            if (SaysWrongDatacenter(answer))
                return new(TestOutcome.WrongRegion, status,
                    $"Customer.io answered that this key belongs to the other data center: the {Describe(other)}. " +
                    $"Change the credential's region to {other}.");
            if (!settings.ProbeOtherRegion)
                return new(TestOutcome.InvalidKey, status,
                    $"Customer.io rejected the key in the {Describe(region)} (HTTP 401). Either the key is wrong " +
                    $"(check it is an App API Key, not a Tracking API key, copied completely and not deleted), or the " +
                    $"workspace is in the {Describe(other)}: try region {other}.");
            if (await WorksInAsync(key, other, ct))
                return new(TestOutcome.WrongRegion, status,
                    $"The key is valid in the {Describe(other)}. Change the credential's region to {other}.");
            return new(TestOutcome.InvalidKey, status,
                $"Customer.io rejected the key in the {Describe(region)} and in the {Describe(other)} (HTTP 401). " +
                "Check that it is an App API Key (not a Tracking API key or a service-account token), that it was " +
                "copied completely, and that it has not been deleted in Customer.io. If the workspace's region is " +
                "right, create a new App API Key.");
        }

        if (answer.Is(HttpStatusCode.Forbidden))
            return new(TestOutcome.Forbidden, status,
                $"Customer.io recognised the key but refused access (HTTP 403, {Describe(region)}): the key may lack " +
                "the permission to read workspaces, or this service's IP address is not on the workspace's IP " +
                "allowlist. Check the key's access and the allowlist in Customer.io.");

        if (answer.Is(HttpStatusCode.TooManyRequests))
            return new(TestOutcome.RateLimited, status,
                "Customer.io is rate limiting this workspace (10 requests per second, shared with your own traffic). " +
                (answer.RetryAfterSeconds is { } s ? $"Try again in {s} seconds." : "Try again in a few seconds."),
                answer.RetryAfterSeconds);

        return new(TestOutcome.UpstreamError, status,
            $"Customer.io answered with HTTP {status} ({Describe(region)}): the problem is on Customer.io's side, " +
            "not with the key. Try again later and check status.customer.io.");
    }

    /// <summary>The one probe after a 401. Its own failures (timeout, network) mean "not shown to work there".</summary>
    private async Task<bool> WorksInAsync(AppApiKey key, string region, CancellationToken ct)
    {
        try
        {
            return (await GetWorkspacesAsync(key, region, ct)).IsSuccess;
        }
        catch (Exception ex) when (ex is HttpRequestException || (ex is OperationCanceledException && ct.IsCancellationRequested))
        {
            return false;
        }
    }

    private async Task<UpstreamAnswer> GetWorkspacesAsync(AppApiKey key, string region, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(options.Value.BaseUrl(region), WorkspacesPath));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key.Reveal());
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        metrics.UpstreamAnswered((int)response.StatusCode, region);
        return await UpstreamAnswer.ReadAsync(response, time.GetUtcNow(), ct);
    }

    private static bool PointsToOtherRegion(UpstreamAnswer answer, string other, CustomerIoOptions settings)
    {
        if (SaysWrongDatacenter(answer)) return true;
        if (answer.Location is not { IsAbsoluteUri: true } location) return false;
        if (string.Equals(location.Host, settings.BaseUrl(other).Host, StringComparison.OrdinalIgnoreCase)
            && location.Port == settings.BaseUrl(other).Port)
            return true;
        // e.g. beta-api-eu.customer.io: a Customer.io host whose first label ends in "-eu" is the EU data center.
        var host = location.Host.ToLowerInvariant();
        return other == Region.Eu
               && (host == "customer.io" || host.EndsWith(".customer.io", StringComparison.Ordinal))
               && host.Split('.')[0].EndsWith("-eu", StringComparison.Ordinal);
    }

    private static bool SaysWrongDatacenter(UpstreamAnswer answer) =>
        answer.ErrorDetail?.Contains("wrong datacenter", StringComparison.OrdinalIgnoreCase) == true;

    private static string Describe(string region) => $"{Region.DisplayName(region)} region ({Region.ApiDomain(region)})";

    private static string ReasonOf(HttpRequestException ex) => ex.HttpRequestError switch
    {
        HttpRequestError.NameResolutionError => "the host name could not be resolved",
        HttpRequestError.ConnectionError => "the connection was refused or could not be established",
        HttpRequestError.SecureConnectionError => "the TLS handshake failed",
        _ => "the request failed before an answer arrived",
    };

    private sealed record Verdict(string Outcome, int? UpstreamStatus, string Message, int? RetryAfterSeconds = null);
}
