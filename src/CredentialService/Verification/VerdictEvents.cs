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
    public static void Record(CredentialsDbContext db, Credential credential, Caller caller, TestResult result, TimeProvider time)
    {
        var previous = credential.LastTest?.Outcome;
        credential.LastTest = result;
        db.CredentialEvents.Add(CredentialEvent.Tested(credential, caller, result, time));
        // No previous verdict (never tested, or cleared by a new key or region) is not a change of verdict.
        if (previous is not null && previous != result.Outcome)
            db.CredentialEvents.Add(CredentialEvent.For(credential, caller, AuditAction.VerdictChanged, time,
                new EventDetail(Region: result.Region, From: previous, To: result.Outcome)));
    }

    /// <summary>
    /// Saves what <see cref="Record"/> added. If the credential changed meanwhile (a new key or region: the verdict is
    /// about the old one), lastTest is not overwritten and no verdict_changed is claimed; the tested event is kept.
    /// </summary>
    public static async Task SaveAsync(CredentialsDbContext db, Credential credential, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.Entry(credential).State = EntityState.Detached;
            foreach (var entry in db.ChangeTracker.Entries<CredentialEvent>()
                         .Where(e => e.State == EntityState.Added && e.Entity.Action == AuditAction.VerdictChanged).ToList())
                entry.State = EntityState.Detached;
            await db.SaveChangesAsync(ct);
        }
    }
}
