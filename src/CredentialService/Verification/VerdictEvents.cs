using CredentialService.Audit;
using CredentialService.ConnectionTests;
using CredentialService.Credentials;
using CredentialService.Data;
using CredentialService.Infrastructure.Auth;
using Microsoft.EntityFrameworkCore;

namespace CredentialService.Verification;

/// <summary>
/// Stores a stored credential's verdict the same way whoever tested it (a person or the scheduler): <c>lastTest</c>,
/// a <c>tested</c> event, and a <c>verdict_changed</c> event when the outcome differs from the previous verdict's.
/// </summary>
public static class VerdictEvents
{
    /// <summary>
    /// Writes the verdict of a test of <paramref name="read"/> as one statement (one round trip, one durable commit):
    /// the credential's <c>lastTest</c> (with a lazily <paramref name="rewrapped"/> key and the scheduler's
    /// <paramref name="nextVerificationAt"/>, when given) only if the row is still at the version that was read, and
    /// its events. If the credential changed meanwhile (a new key or region: the verdict is about the old one) or is
    /// gone, lastTest is not overwritten and no verdict_changed is claimed; the tested event, which records what
    /// happened, is written anyway. Returns the row's new version, or null when it was not updated.
    /// </summary>
    public static async Task<long?> SaveAsync(
        CredentialsDbContext db, StoredKey read, Caller caller, TestResult result, TimeProvider time,
        byte[]? rewrapped = null, DateTime? nextVerificationAt = null)
    {
        var at = time.UtcNowForDatabase();
        var lastTest = CredentialConfiguration.LastTestJson(result);
        var tested = CredentialEventConfiguration.DetailJson(new EventDetail(Region: result.Region, Outcome: result.Outcome));
        // No previous verdict (never tested, or cleared by a new key or region) is not a change of verdict.
        var changed = read.LastOutcome is { } previous && previous != result.Outcome
            ? CredentialEventConfiguration.DetailJson(new EventDetail(Region: result.Region, From: previous, To: result.Outcome))
            : null;

        // Customer.io has answered: the verdict and its events are written even if the caller hangs up now (the
        // statement's own timeout still bounds it), so the trail records every test that reached Customer.io.
        // One INSERT of both events, in this order (their ids order the trail); verdict_changed only with the update.
        var versions = await db.Database.SqlQuery<long>($"""
            WITH updated AS (
                UPDATE credentials
                   SET last_test = {lastTest}::jsonb,
                       app_api_key_ciphertext = coalesce({rewrapped}::bytea, app_api_key_ciphertext),
                       next_verification_at = coalesce({nextVerificationAt}::timestamptz, next_verification_at)
                 WHERE id = {read.Id} AND tenant_id = {read.TenantId} AND version = {read.Version}
                RETURNING version
            ), events AS (
                INSERT INTO credential_events (tenant_id, credential_id, at, action, actor, detail)
                SELECT {read.TenantId}, {read.Id}, {at}, {AuditAction.Tested}, {caller.Actor}, {tested}::jsonb
                UNION ALL
                SELECT {read.TenantId}, {read.Id}, {at}, {AuditAction.VerdictChanged}, {caller.Actor}, {changed}::jsonb
                  FROM updated WHERE {changed}::jsonb IS NOT NULL
            )
            SELECT version AS "Value" FROM updated
            """).ToListAsync(CancellationToken.None);
        return versions.Count == 0 ? null : versions[0];
    }
}
