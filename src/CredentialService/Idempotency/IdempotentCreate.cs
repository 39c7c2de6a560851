using System.Security.Cryptography;
using System.Text.Json;
using CredentialService.Credentials;
using CredentialService.Data;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace CredentialService.Idempotency;

/// <summary>
/// Runs a create at most once per (tenant, Idempotency-Key). The record row is inserted first, in the same
/// transaction as the credential: a concurrent request with the same key blocks on that row until the first commits,
/// then finds it and replays the stored response. Two racing identical requests create one credential.
/// <para>
/// The stored fingerprint is the request's digest protected with DataProtection (purpose bound to the tenant and the
/// Idempotency-Key): whoever reads the table cannot test a guessed App API Key against it. A record written before
/// this protection existed holds the bare 32-byte digest; it is still compared as such until it expires (24 h) and
/// is purged.
/// </para>
/// </summary>
public sealed class IdempotentCreate(CredentialsDbContext db, IDataProtectionProvider dataProtection, TimeProvider time)
{
    private const string Purpose = "CredentialService.Idempotency.Fingerprint.v1";
    private const int LegacyFingerprintLength = 32;

    public abstract record Outcome;
    public sealed record Fresh(CredentialResponse Response) : Outcome;
    public sealed record Replayed(CredentialResponse Response) : Outcome;
    public sealed record Mismatch : Outcome;

    /// <summary>The key replays a create whose credential has been deleted since.</summary>
    public sealed record CredentialGone(Guid CredentialId) : Outcome;

    public async Task<Outcome> RunAsync(
        string tenantId, string key, byte[] fingerprint, Func<Task<CredentialResponse>> create, CancellationToken ct)
    {
        var protector = (IPersistedDataProtector)dataProtection.CreateProtector(Purpose, tenantId, key);
        var now = time.UtcNowForDatabase();
        var expiredBefore = now - IdempotencyRecord.Lifetime;

        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            await db.IdempotencyRecords
                .OwnedBy(tenantId).Where(r => r.Key == key && r.CreatedAt < expiredBefore)
                .ExecuteDeleteAsync(ct);
            var claimed = await db.Database.ExecuteSqlAsync(
                $"""
                 INSERT INTO idempotency_records (tenant_id, key, fingerprint, created_at)
                 VALUES ({tenantId}, {key}, {protector.Protect(fingerprint)}, {now}) ON CONFLICT DO NOTHING
                 """, ct);
            if (claimed == 1)
            {
                var response = await create();
                var body = JsonSerializer.Serialize(response, CredentialServiceJsonContext.Default.CredentialResponse);
                await db.IdempotencyRecords
                    .OwnedBy(tenantId).Where(r => r.Key == key)
                    .ExecuteUpdateAsync(s => s
                        .SetProperty(r => r.CredentialId, response.Id)
                        .SetProperty(r => r.ResponseBody, body), ct);
                await tx.CommitAsync(ct);
                return new Fresh(response);
            }
        }

        var record = await db.IdempotencyRecords.AsNoTracking()
            .OwnedBy(tenantId).FirstAsync(r => r.Key == key, ct);
        if (!Matches(protector, record.Fingerprint, fingerprint)) return new Mismatch();
        if (record.CredentialId is { } id && !await db.Credentials.OwnedBy(tenantId).AnyAsync(c => c.Id == id, ct))
        {
            return new CredentialGone(id);
        }

        return new Replayed(JsonSerializer.Deserialize(record.ResponseBody!, CredentialServiceJsonContext.Default.CredentialResponse)!);
    }

    private static bool Matches(IPersistedDataProtector protector, byte[] stored, byte[] fingerprint)
    {
        if (stored.Length == LegacyFingerprintLength) return CryptographicOperations.FixedTimeEquals(stored, fingerprint);
        try
        {
            var digest = protector.DangerousUnprotect(stored, ignoreRevocationErrors: true, out _, out _);
            return CryptographicOperations.FixedTimeEquals(digest, fingerprint);
        }
        catch (CryptographicException)
        {
            return false; // protected under a key this ring no longer has: it cannot be shown to be the same request
        }
    }
}
