using CredentialService.Credentials;
using CredentialService.Data;
using CredentialService.Infrastructure.Auth;
using Microsoft.EntityFrameworkCore;

namespace CredentialService.Audit;

/// <summary><c>Audit:*</c>.</summary>
public sealed class AuditOptions
{
    /// <summary>Events older than this many days are deleted by the housekeeping job; 0 keeps every event.</summary>
    public int RetentionDays { get; set; } = 400;
}

/// <summary>Writes to the audit trail that are more than one INSERT.</summary>
public static class AuditTrail
{
    /// <summary>
    /// Consecutive secret reads by one actor are one event while the group's first read is at most this old: a
    /// runtime reading a key every second writes 288 events a day per credential, not 86,400.
    /// </summary>
    public static readonly TimeSpan SecretReadWindow = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Records a secret read: when the credential's latest event is a secret read by the same actor whose first read
    /// is within <see cref="SecretReadWindow"/>, that event's count goes up and its time moves to now; otherwise a new
    /// event is added to the context (the caller's SaveChanges writes it). The UPDATE locks the row it changes, so
    /// concurrent reads (on any instance) each count once.
    /// </summary>
    public static async Task RecordSecretReadAsync(
        CredentialsDbContext db, Credential credential, Caller caller, TimeProvider time, CancellationToken ct)
    {
        var now = time.UtcNowForDatabase();
        var windowStart = now - SecretReadWindow;
        var merged = await db.Database.ExecuteSqlAsync(
            $"""
             UPDATE credential_events SET at = {now},
                 detail = jsonb_build_object(
                     'count', COALESCE((detail->>'count')::int, 1) + 1,
                     'firstAt', COALESCE(NULLIF(detail->'firstAt', 'null'::jsonb), to_jsonb(to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))))
             WHERE id = (SELECT id FROM credential_events
                         WHERE tenant_id = {credential.TenantId} AND credential_id = {credential.Id}
                         ORDER BY id DESC LIMIT 1)
               AND action = {AuditAction.SecretRead} AND actor = {caller.Actor}
               AND COALESCE((detail->>'firstAt')::timestamptz, at) > {windowStart}
             """, ct);
        if (merged == 0)
        {
            db.CredentialEvents.Add(CredentialEvent.For(credential, caller, AuditAction.SecretRead, time, new EventDetail(Count: 1)));
        }
    }
}
