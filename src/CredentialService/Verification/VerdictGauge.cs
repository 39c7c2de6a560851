using System.Diagnostics.Metrics;
using CredentialService.ConnectionTests;
using CredentialService.Data;
using CredentialService.Infrastructure.Telemetry;
using Microsoft.EntityFrameworkCore;

namespace CredentialService.Verification;

/// <summary>
/// The gauge <c>credential_service.credentials.by_last_outcome</c>: stored credentials of all tenants by the outcome
/// of their last test (<c>untested</c> when none). A scrape reads a cached count; the count is refreshed by one
/// GROUP BY every <see cref="Refresh"/>, so scrapes cost the database nothing.
/// </summary>
internal sealed partial class VerdictGauge : BackgroundService
{
    public static readonly TimeSpan Refresh = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(10);

    private readonly IServiceScopeFactory scopes;
    private readonly TimeProvider time;
    private readonly ILogger<VerdictGauge> logger;
    private volatile Measurement<long>[] counts = [];

    public VerdictGauge(IServiceScopeFactory scopes, IMeterFactory meters, TimeProvider time, ILogger<VerdictGauge> logger)
    {
        this.scopes = scopes;
        this.time = time;
        this.logger = logger;
        meters.Create(ServiceMetrics.MeterName).CreateObservableGauge(
            "credential_service.credentials.by_last_outcome", () => counts, "{credential}",
            "Stored credentials, all together, by the outcome of their last test (untested: none), refreshed every minute.");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = Refresh;
            try
            {
                await RefreshAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                LogFailed(logger, ex); // keep the last counts; a gauge that vanishes would look like zero broken keys
                wait = RetryAfterFailure;
            }

            try
            {
                await Task.Delay(wait, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private async Task RefreshAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CredentialsDbContext>();
        var rows = await db.Credentials.AsNoTracking()
            .GroupBy(c => c.LastOutcome)
            .Select(g => new { Outcome = g.Key, Count = g.LongCount() })
            .ToListAsync(ct);
        var byOutcome = rows.ToDictionary(r => r.Outcome ?? OutcomeFilter.Untested, r => r.Count);
        // Every outcome is reported, zeros included, so an alert on a rate of change has a series to start from.
        counts = OutcomeFilter.Outcomes.Append(OutcomeFilter.Untested)
            .Select(o => new Measurement<long>(byOutcome.GetValueOrDefault(o), new KeyValuePair<string, object?>("outcome", o)))
            .ToArray();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not refresh the credentials-by-outcome gauge")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
