using CredentialService.Credentials;
using Microsoft.EntityFrameworkCore;

namespace CredentialService.Data;

public static class SaveChangesExtensions
{
    /// <summary>
    /// Saves a read-side change to a credential (a lazy rewrap on a secret read) with its audit event. If a writer
    /// changed the credential meanwhile, the credential's change is dropped (it was about the old state) and the
    /// event, which records what happened, is still written.
    /// </summary>
    public static async Task SaveChangesKeepingEventsAsync(this CredentialsDbContext db, Credential credential, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.Entry(credential).State = EntityState.Detached;
            await db.SaveChangesAsync(ct);
        }
    }
}
