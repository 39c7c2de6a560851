using System.Net;
using System.Text.Json;
using CredentialService.Data;
using CredentialService.KeyCustody;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CredentialService.Infrastructure.Health;

public static partial class HealthSetup
{
    public const string ReadyTag = "ready";

    public static IHostApplicationBuilder AddHealth(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ReadinessCache>();
        builder.Services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: [ReadyTag], timeout: TimeSpan.FromSeconds(5))
            .AddCheck<KeyRingHealthCheck>("key_ring", tags: [ReadyTag], timeout: TimeSpan.FromSeconds(5));
        return builder;
    }

    public static WebApplication MapHealth(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteJson })
            .WithTags("Health");
        // Not MapHealthChecks: the result is shared for a second (ReadinessCache), so a flood of probes costs nothing.
        app.MapGet("/health/ready", async (HttpContext context, ReadinessCache readiness) =>
            {
                var (report, checkedAt) = await readiness.GetAsync();
                context.Response.StatusCode = report.Status == HealthStatus.Unhealthy
                    ? (int)HttpStatusCode.ServiceUnavailable
                    : (int)HttpStatusCode.OK;
                await WriteJson(context, report, checkedAt);
            })
            .WithTags("Health")
            .ExcludeFromDescription();
        return app;
    }

    private static Task WriteJson(HttpContext context, HealthReport report) => WriteJson(context, report, DateTimeOffset.UtcNow);

    private static Task WriteJson(HttpContext context, HealthReport report, DateTimeOffset checkedAt)
    {
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        var body = new HealthResponse(
            report.Status.ToString(),
            checkedAt,
            report.Entries.ToDictionary(
                e => e.Key,
                e => new HealthEntry(e.Value.Status.ToString(), e.Value.Description, (long)e.Value.Duration.TotalMilliseconds)));
        return JsonSerializer.SerializeAsync(context.Response.Body, body, CredentialServiceJsonContext.Default.HealthResponse, context.RequestAborted);
    }
}

/// <summary>The readiness (or liveness) answer; <c>checkedAt</c> is when the checks ran (readiness is shared for a second).</summary>
public sealed record HealthResponse(string Status, DateTimeOffset CheckedAt, Dictionary<string, HealthEntry> Checks);

/// <summary>
/// Runs the readiness checks at most once a second: concurrent probes share one run, and the result is reused until
/// it is a second old.
/// </summary>
public sealed class ReadinessCache(HealthCheckService health, TimeProvider time)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(1);
    private readonly Lock gate = new();
    private Task<(HealthReport Report, DateTimeOffset CheckedAt)>? current;

    public Task<(HealthReport Report, DateTimeOffset CheckedAt)> GetAsync()
    {
        lock (gate)
        {
            if (current is null
                || (current.IsCompleted && (!current.IsCompletedSuccessfully || time.GetUtcNow() - current.Result.CheckedAt >= Lifetime)))
            {
                current = RunAsync();
            }

            return current;
        }
    }

    private async Task<(HealthReport, DateTimeOffset)> RunAsync()
    {
        await Task.Yield(); // leave the lock before the checks run
        var report = await health.CheckHealthAsync(c => c.Tags.Contains(HealthSetup.ReadyTag), CancellationToken.None);
        return (report, time.GetUtcNow());
    }
}

public sealed record HealthEntry(string Status, string? Description, long DurationMs);

/// <summary>
/// Reachable and migrated: a database the code does not match is not ready. The answer says only "ok", "unavailable"
/// or "not migrated" (it is unauthenticated); the details go to the log.
/// </summary>
internal sealed partial class DatabaseHealthCheck(CredentialsDbContext db, ILogger<DatabaseHealthCheck> logger) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
            if (pending.Count == 0) return HealthCheckResult.Healthy("ok");
            LogNotMigrated(logger, pending.Count, string.Join(", ", pending));
            return HealthCheckResult.Unhealthy("not migrated");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogUnavailable(logger, ex);
            return HealthCheckResult.Unhealthy("unavailable");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Readiness: database has {Count} migration(s) not applied: {Migrations}")]
    private static partial void LogNotMigrated(ILogger logger, int count, string migrations);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Readiness: database unavailable")]
    private static partial void LogUnavailable(ILogger logger, Exception exception);
}

/// <summary>
/// The key ring is usable: a protect/unprotect round trip works and the first-start canary still decrypts. The answer
/// says "ok" or "unusable"; the reason goes to the log.
/// </summary>
internal sealed partial class KeyRingHealthCheck(
    Microsoft.AspNetCore.DataProtection.IDataProtectionProvider provider,
    KeyRingCanaryStore canary,
    ILogger<KeyRingHealthCheck> logger) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var protector = Microsoft.AspNetCore.DataProtection.DataProtectionCommonExtensions.CreateProtector(provider, "CredentialService.Health.v1");
            var probe = new byte[] { 1, 2, 3 };
            var reason = protector.Unprotect(protector.Protect(probe)).AsSpan().SequenceEqual(probe)
                ? await canary.CheckAsync(cancellationToken)
                : "protect/unprotect round trip returned a different value";
            if (reason is null) return HealthCheckResult.Healthy("ok");
            LogUnusable(logger, reason);
            return HealthCheckResult.Unhealthy("unusable");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogUnusable(logger, $"{ex.GetType().Name}: {ex.GetBaseException().Message}");
            return HealthCheckResult.Unhealthy("unusable");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Readiness: key ring unusable: {Reason}")]
    private static partial void LogUnusable(ILogger logger, string reason);
}
