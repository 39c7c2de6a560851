using System.Text.Json;
using CredentialService.Data;
using CredentialService.KeyCustody;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CredentialService.Infrastructure.Health;

public static class HealthSetup
{
    private const string ReadyTag = "ready";

    public static IHostApplicationBuilder AddHealth(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: [ReadyTag], timeout: TimeSpan.FromSeconds(5))
            .AddCheck<KeyRingHealthCheck>("key_ring", tags: [ReadyTag], timeout: TimeSpan.FromSeconds(5));
        return builder;
    }

    public static WebApplication MapHealth(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteJson })
            .WithTags("Health");
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag), ResponseWriter = WriteJson })
            .WithTags("Health");
        return app;
    }

    private static Task WriteJson(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        var body = new HealthResponse(
            report.Status.ToString(),
            report.Entries.ToDictionary(
                e => e.Key,
                e => new HealthEntry(e.Value.Status.ToString(), e.Value.Description, (long)e.Value.Duration.TotalMilliseconds)));
        return JsonSerializer.SerializeAsync(context.Response.Body, body, CredentialServiceJsonContext.Default.HealthResponse, context.RequestAborted);
    }
}

public sealed record HealthResponse(string Status, Dictionary<string, HealthEntry> Checks);

public sealed record HealthEntry(string Status, string? Description, long DurationMs);

/// <summary>Reachable and migrated: a database the code does not match is not ready.</summary>
internal sealed class DatabaseHealthCheck(CredentialsDbContext db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
            return pending.Count == 0
                ? HealthCheckResult.Healthy("reachable and migrated")
                : HealthCheckResult.Unhealthy($"database: {pending.Count} migration(s) not applied ({string.Join(", ", pending)})");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"database unreachable: {ex.GetBaseException().Message}");
        }
    }
}

/// <summary>The key ring is usable: a protect/unprotect round trip works and the first-start canary still decrypts.</summary>
internal sealed class KeyRingHealthCheck(
    Microsoft.AspNetCore.DataProtection.IDataProtectionProvider provider,
    KeyRingCanaryStore canary) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var protector = Microsoft.AspNetCore.DataProtection.DataProtectionCommonExtensions.CreateProtector(provider, "CredentialService.Health.v1");
            var probe = new byte[] { 1, 2, 3 };
            if (!protector.Unprotect(protector.Protect(probe)).AsSpan().SequenceEqual(probe))
            {
                return HealthCheckResult.Unhealthy("key ring: protect/unprotect round trip returned a different value");
            }

            var reason = await canary.CheckAsync(cancellationToken);
            return reason is null ? HealthCheckResult.Healthy("round trip ok; canary decrypts") : HealthCheckResult.Unhealthy($"key ring: {reason}");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"key ring unusable: {ex.GetBaseException().Message}");
        }
    }
}
