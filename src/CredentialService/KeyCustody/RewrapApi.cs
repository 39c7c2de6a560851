using System.ComponentModel.DataAnnotations;
using CredentialService.Data;
using CredentialService.Infrastructure.Auth;
using CredentialService.Infrastructure.Telemetry;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CredentialService.KeyCustody;

public sealed record RewrapResult(
    [property: Range(0, int.MaxValue)] int Scanned,
    [property: Range(0, int.MaxValue)] int Rewrapped,
    [property: Range(0, int.MaxValue)] int Failed);

/// <summary>
/// Re-protects, under the current data-protection key, every stored key whose payload is under an old or revoked
/// one. All tenants, in batches by id; safe while traffic flows (a row changed meanwhile is left to its writer,
/// who protected it with the current key) and safe to run twice (a second run rewraps nothing). The key-ring canary
/// is rewrapped too (not counted), so that nothing is left needing a retired key or certificate.
/// </summary>
public static partial class RewrapApi
{
    private const int BatchSize = 500;

    public static RouteGroupBuilder MapKeyCustody(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/admin")
            .WithTags("Key custody")
            .RequireAuthorization(Scopes.Admin)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        group.MapPost("/rewrap", Rewrap)
            .WithName("RewrapKeys")
            .WithSummary("Re-protect every stored key under the current data-protection key")
            .WithDescription("Counts: scanned, rewrapped, failed. A key that cannot be decrypted is counted as failed " +
                             "and logged with its credential id; it is never replaced.");
        group.MapKeyUsage();
        return group;
    }

    public static async Task<Ok<RewrapResult>> Rewrap(
        CredentialsDbContext db, AppApiKeyProtector protector, KeyRingCanaryStore canary, ServiceMetrics metrics,
        ILoggerFactory loggers, CancellationToken ct)
    {
        var logger = loggers.CreateLogger(typeof(RewrapApi));
        int scanned = 0, rewrapped = 0, failed = 0;
        var after = Guid.Empty;
        while (true)
        {
            var batch = await db.Credentials.AsNoTracking()
                .Where(c => c.Id.CompareTo(after) > 0)
                .OrderBy(c => c.Id)
                .Take(BatchSize)
                .Select(c => new { c.Id, c.TenantId, c.AppApiKeyCiphertext, c.Version })
                .ToListAsync(ct);
            if (batch.Count == 0) break;
            after = batch[^1].Id;

            foreach (var row in batch)
            {
                scanned++;
                AppApiKeyProtector.Unprotected unprotected;
                try
                {
                    unprotected = protector.Unprotect(row.AppApiKeyCiphertext, row.TenantId, row.Id);
                }
                catch (CredentialUndecryptableException ex)
                {
                    failed++;
                    LogFailed(logger, row.Id, ex.InnerException?.Message);
                    continue;
                }

                if (!unprotected.NeedsRewrap) continue;
                var ciphertext = protector.Protect(unprotected.Key, row.TenantId, row.Id);
                var version = row.Version;
                rewrapped += await db.Credentials
                    .Where(c => c.Id == row.Id && c.Version == version)
                    .ExecuteUpdateAsync(s => s.SetProperty(c => c.AppApiKeyCiphertext, ciphertext), ct);
            }
        }

        await canary.RewrapAsync(ct);
        LogDone(logger, scanned, rewrapped, failed);
        metrics.Rewrap("rewrapped", rewrapped);
        metrics.Rewrap("failed", failed);
        return TypedResults.Ok(new RewrapResult(scanned, rewrapped, failed));
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Rewrap: credential {CredentialId} cannot be decrypted and was left as it is: {Reason}")]
    private static partial void LogFailed(ILogger logger, Guid credentialId, string? reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rewrap done: scanned {Scanned}, rewrapped {Rewrapped}, failed {Failed}")]
    private static partial void LogDone(ILogger logger, int scanned, int rewrapped, int failed);
}
