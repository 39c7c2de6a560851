using CredentialService.Audit;
using CredentialService.Idempotency;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CredentialService.Data;

/// <summary>
/// Deletes what is kept for a limited time: audit events older than <c>Audit:RetentionDays</c> and idempotency
/// records past their 24 hours. Runs at start and then hourly on every instance. Safe with any number of instances:
/// each pass deletes in batches of rows it can lock at once (<c>FOR UPDATE SKIP LOCKED</c>), so two instances share
/// the work instead of waiting for each other, and deleting what is already gone is a no-op.
/// </summary>
internal sealed partial class Housekeeping(
    IServiceScopeFactory scopes, IOptions<AuditOptions> audit, TimeProvider time, ILogger<Housekeeping> logger) : BackgroundService
{
    private const int BatchSize = 1000;
    private static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogFailed(logger, ex.GetType().Name, ex.Message);
            }

            await Task.Delay(Interval, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private async Task RunOnceAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CredentialsDbContext>();
        var now = time.GetUtcNow().UtcDateTime;

        if (audit.Value.RetentionDays > 0)
        {
            var cutoff = now.AddDays(-audit.Value.RetentionDays);
            var events = await DeleteInBatchesAsync(db, cutoff, static (db, cutoff, batch, ct) => db.Database.ExecuteSqlAsync(
                $"""
                 DELETE FROM credential_events WHERE id IN (
                     SELECT id FROM credential_events WHERE at < {cutoff} LIMIT {batch} FOR UPDATE SKIP LOCKED)
                 """, ct), ct);
            if (events > 0) LogDeleted(logger, events, "audit events", cutoff);
        }

        var expiredBefore = now - IdempotencyRecord.Lifetime;
        var records = await DeleteInBatchesAsync(db, expiredBefore, static (db, cutoff, batch, ct) => db.Database.ExecuteSqlAsync(
            $"""
             DELETE FROM idempotency_records WHERE ctid IN (
                 SELECT ctid FROM idempotency_records WHERE created_at < {cutoff} LIMIT {batch} FOR UPDATE SKIP LOCKED)
             """, ct), ct);
        if (records > 0) LogDeleted(logger, records, "idempotency records", expiredBefore);
    }

    private static async Task<int> DeleteInBatchesAsync(
        CredentialsDbContext db, DateTime cutoff, Func<CredentialsDbContext, DateTime, int, CancellationToken, Task<int>> deleteBatch,
        CancellationToken ct)
    {
        var total = 0;
        while (true)
        {
            var deleted = await deleteBatch(db, cutoff, BatchSize, ct);
            total += deleted;
            if (deleted < BatchSize) return total;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Housekeeping: deleted {Count} {What} older than {Cutoff:o}")]
    private static partial void LogDeleted(ILogger logger, int count, string what, DateTime cutoff);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Housekeeping failed ({ExceptionType}: {Reason}); it runs again within the hour")]
    private static partial void LogFailed(ILogger logger, string exceptionType, string reason);
}

public static class HousekeepingSetup
{
    public static IHostApplicationBuilder AddHousekeeping(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AuditOptions>().BindConfiguration("Audit")
            .Validate(o => o.RetentionDays >= 0, "Audit:RetentionDays must be 0 (keep every event) or a number of days.")
            .ValidateOnStart();
        builder.Services.AddHostedService<Housekeeping>();
        return builder;
    }
}
