using CredentialService.ConnectionTests;
using CredentialService.Credentials;
using CredentialService.Data;
using CredentialService.Infrastructure.Auth;
using CredentialService.KeyCustody;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CredentialService.Verification;

/// <summary>
/// Tests every stored credential again within <c>Verification:IntervalHours</c>. Work is claimed through the
/// database: one statement takes the most overdue credential with <c>FOR UPDATE SKIP LOCKED</c> and moves its due
/// time a lease ahead, so instances split the work and never test one credential at once; the verdict's transaction
/// then sets the next due time, an interval ahead less up to 10 % jitter (so tests stay spread over the interval
/// instead of bunching). A test interrupted by shutdown or a crash writes nothing, and the lease running out hands
/// the credential to whichever instance is next.
/// </summary>
internal sealed partial class VerificationScheduler(
    IServiceScopeFactory scopes, IOptions<VerificationOptions> options, IOptions<CustomerIoOptions> customerIo,
    ITenantTestBudget budget, TimeProvider time, ILogger<VerificationScheduler> logger) : BackgroundService
{
    public const string Actor = "system:verifier";
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(60);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            LogDisabled(logger);
            return;
        }

        var pace = TimeSpan.FromSeconds(1 / settings.TestsPerSecond);
        // With nothing due, look again soon enough to keep short intervals (tests use seconds), rarely enough to cost nothing.
        var idle = TimeSpan.FromTicks(Math.Clamp(settings.Interval.Ticks / 20, TimeSpan.FromMilliseconds(100).Ticks, TimeSpan.FromSeconds(5).Ticks));
        var backoff = TimeSpan.FromSeconds(1);
        LogStarted(logger, settings.IntervalHours, settings.TestsPerSecond);

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var started = time.GetTimestamp();
                var claimed = await ClaimAsync(settings, stoppingToken);
                if (claimed is null)
                {
                    await Task.Delay(idle, time, stoppingToken);
                }
                else
                {
                    await VerifyAsync(claimed, settings, stoppingToken);
                    var rest = pace - time.GetElapsedTime(started);
                    if (rest > TimeSpan.Zero) await Task.Delay(rest, time, stoppingToken);
                }

                backoff = TimeSpan.FromSeconds(1);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // The database is away (or something else failed): say so, wait, try again. The service keeps serving.
                LogFailed(logger, backoff.TotalSeconds, ex);
                try
                {
                    await Task.Delay(backoff, time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }

        LogStopped(logger);
    }

    /// <summary>
    /// Takes the most overdue credential. A credential never tested by the scheduler is due one interval after it
    /// was created (its creator has usually just tested it); those come first, oldest first, then the scheduled ones
    /// by due time. Two probes, each the first row of an index (<c>ix_credentials_unscheduled</c> on created_at
    /// where next_verification_at is null, then <c>ix_credentials_next_verification_at</c>), the second only when
    /// the first finds nothing: one "due OR never scheduled" condition ordered NULLS FIRST could use neither index,
    /// and read and sorted the whole table on every claim (measured: a sequential scan of 1,000,000 rows each second).
    /// </summary>
    private async Task<Claim?> ClaimAsync(VerificationOptions settings, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CredentialsDbContext>();
        var lease = LeaseSeconds();
        var interval = settings.Interval.TotalSeconds;
        var claimed = await db.Database.SqlQuery<Claim>($"""
            UPDATE credentials SET next_verification_at = now() + make_interval(secs => {lease})
            WHERE id = coalesce(
                (SELECT id FROM credentials
                  WHERE next_verification_at IS NULL AND created_at <= now() - make_interval(secs => {interval})
                  ORDER BY created_at
                  LIMIT 1
                  FOR UPDATE SKIP LOCKED),
                (SELECT id FROM credentials
                  WHERE next_verification_at <= now()
                  ORDER BY next_verification_at
                  LIMIT 1
                  FOR UPDATE SKIP LOCKED))
            RETURNING id, tenant_id
            """).ToListAsync(ct);
        return claimed.Count == 0 ? null : claimed[0];
    }

    private async Task VerifyAsync(Claim claim, VerificationOptions settings, CancellationToken stoppingToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CredentialsDbContext>();

        if (!await budget.TryTakeAsync(claim.TenantId, stoppingToken))
        {
            // People are testing this tenant's credentials: come back in a second or two.
            var later = 1 + Random.Shared.NextDouble();
            await db.Database.ExecuteSqlAsync(
                $"UPDATE credentials SET next_verification_at = now() + make_interval(secs => {later}) WHERE id = {claim.Id}",
                stoppingToken);
            LogDeferred(logger, claim.Id);
            return;
        }

        var credential = await CredentialQueries.StoredKeyById(db, claim.Id, claim.TenantId, stoppingToken);
        if (credential is null) return; // deleted since the claim

        AppApiKey key;
        byte[]? rewrapped;
        try
        {
            (key, rewrapped) = scope.ServiceProvider.GetRequiredService<AppApiKeyProtector>().Reveal(credential);
        }
        catch (CredentialUndecryptableException ex)
        {
            // Not a verdict about the Customer.io key; the operator's problem, logged on every pass until fixed.
            LogUndecryptable(logger, claim.Id, ex.InnerException?.Message);
            await db.Credentials.Where(c => c.Id == claim.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.NextVerificationAt, NextDue(settings)), CancellationToken.None);
            return;
        }

        // Shutdown cancels the call to Customer.io: nothing is written, the lease hands the credential on.
        var result = await scope.ServiceProvider.GetRequiredService<CustomerIoClient>().TestAsync(key, credential.Region, stoppingToken);

        // Counted from the verdict, not from the claim: a slow test does not bring the next one closer. A finished
        // test is written whole, even while stopping: one statement, bounded by the command timeout.
        await VerdictEvents.SaveAsync(db, credential, new Caller(credential.TenantId, Actor), result, time, rewrapped, NextDue(settings));
        LogVerified(logger, claim.Id, result.Outcome);
    }

    private DateTime NextDue(VerificationOptions settings) =>
        time.UtcNowForDatabase() + settings.Interval * (0.9 + 0.1 * Random.Shared.NextDouble());

    /// <summary>Long enough for a whole test (both regions) and its write; a crashed instance's claim returns after it.</summary>
    private int LeaseSeconds() => customerIo.Value.TimeoutSeconds * 2 + 30;

    internal sealed record Claim(Guid Id, string TenantId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Scheduled verification is off (Verification:IntervalHours = 0)")]
    private static partial void LogDisabled(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Scheduled verification: every credential within {IntervalHours} h, at most {TestsPerSecond} tests/s on this instance")]
    private static partial void LogStarted(ILogger logger, double intervalHours, double testsPerSecond);

    [LoggerMessage(Level = LogLevel.Information, Message = "Scheduled verification stopped")]
    private static partial void LogStopped(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Scheduled verification failed; trying again in {BackoffSeconds} s")]
    private static partial void LogFailed(ILogger logger, double backoffSeconds, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Scheduled verification of credential {CredentialId} deferred: the tenant's test budget is in use")]
    private static partial void LogDeferred(ILogger logger, Guid credentialId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Scheduled verification of credential {CredentialId}: {Outcome}")]
    private static partial void LogVerified(ILogger logger, Guid credentialId, string outcome);

    [LoggerMessage(Level = LogLevel.Error, Message = "Scheduled verification: credential {CredentialId} cannot be decrypted: {Reason}")]
    private static partial void LogUndecryptable(ILogger logger, Guid credentialId, string? reason);
}
