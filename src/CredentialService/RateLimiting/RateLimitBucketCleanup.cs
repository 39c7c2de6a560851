namespace CredentialService.RateLimiting;

/// <summary>
/// Deletes bucket rows that have been idle for <see cref="SharedRateLimiter.IdleRowLifetime"/> (an absent row is a
/// full bucket, so nothing is lost), once a minute, so the table holds only the buckets in use. Every instance runs
/// it; the deletes are idempotent.
/// </summary>
internal sealed partial class RateLimitBucketCleanup(SharedRateLimiter limiter, ILogger<RateLimitBucketCleanup> logger)
    : BackgroundService
{
    public static readonly TimeSpan Period = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var deleted = await limiter.DeleteIdleBucketsAsync(stoppingToken);
                if (deleted > 0) LogDeleted(logger, deleted);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(logger, ex.GetType().Name, ex.Message); // the database may be away; the next tick tries again
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Deleted {Count} idle rate-limit buckets")]
    private static partial void LogDeleted(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not delete idle rate-limit buckets ({ExceptionType}: {Reason})")]
    private static partial void LogFailed(ILogger logger, string exceptionType, string reason);
}
