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
            verdict = Verdicts.Timeout(region, settings.TimeoutSeconds);
        }
        catch (HttpRequestException ex)
        {
            verdict = Verdicts.Unreachable(region, ex.HttpRequestError);
        }

        var elapsed = time.GetElapsedTime(started);
        metrics.ConnectionTested(verdict.Outcome, region, elapsed);
        return verdict.ToResult(region, elapsed, time.UtcNowForDatabase());
    }

    private async Task<Verdict> ClassifyAsync(
        UpstreamAnswer answer, AppApiKey key, string region, CustomerIoOptions settings, CancellationToken ct)
    {
        var other = Region.Other(region);
        var status = answer.Status;
        if (answer.IsSuccess) return Verdicts.Ok(region, status, answer.Workspaces);

        if (status is >= 300 and < 400)
        {
            return PointsToOtherRegion(answer, other, settings)
                ? Verdicts.PointedToOtherRegion(region, status)
                : Verdicts.RedirectedElsewhere(status, answer.Location);
        }

        if (answer.Is(HttpStatusCode.Unauthorized))
        {
            if (SaysWrongDatacenter(answer)) return Verdicts.SaysOtherDatacenter(region, status);
            if (!settings.ProbeOtherRegion) return Verdicts.RejectedNotProbed(region, status);
            return await WorksInAsync(key, other, ct)
                ? Verdicts.WorksInOtherRegion(region, status)
                : Verdicts.RejectedInBoth(region, status);
        }

        if (answer.Is(HttpStatusCode.Forbidden)) return Verdicts.Forbidden(region, status);
        if (answer.Is(HttpStatusCode.TooManyRequests)) return Verdicts.RateLimited(status, answer.RetryAfterSeconds);
        return Verdicts.UpstreamError(region, status);
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
}
