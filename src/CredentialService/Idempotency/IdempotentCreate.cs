using System.Text.Json;
using CredentialService.Credentials;
using CredentialService.Data;
using Microsoft.EntityFrameworkCore;

namespace CredentialService.Idempotency;

/// <summary>
/// Runs a create at most once per (tenant, Idempotency-Key). The record row is inserted first, in the same
/// transaction as the credential: a concurrent request with the same key blocks on that row until the first commits,
/// then finds it and replays the stored response. Two racing identical requests create one credential.
/// </summary>
public sealed class IdempotentCreate(CredentialsDbContext db, TimeProvider time)
{
    public abstract record Outcome;
    public sealed record Fresh(CredentialResponse Response) : Outcome;
    public sealed record Replayed(CredentialResponse Response) : Outcome;
    public sealed record Mismatch : Outcome;

    public async Task<Outcome> RunAsync(
        string tenantId, string key, byte[] fingerprint, Func<Task<CredentialResponse>> create, CancellationToken ct)
    {
        var now = time.UtcNowForDatabase();
        var expiredBefore = now - IdempotencyRecord.Lifetime;

        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            await db.IdempotencyRecords
                .Where(r => r.TenantId == tenantId && r.Key == key && r.CreatedAt < expiredBefore)
                .ExecuteDeleteAsync(ct);
            var claimed = await db.Database.ExecuteSqlAsync(
                $"""
                 INSERT INTO idempotency_records (tenant_id, key, fingerprint, created_at)
                 VALUES ({tenantId}, {key}, {fingerprint}, {now}) ON CONFLICT DO NOTHING
                 """, ct);
            if (claimed == 1)
            {
                var response = await create();
                var body = JsonSerializer.Serialize(response, CredentialServiceJsonContext.Default.CredentialResponse);
                await db.IdempotencyRecords
                    .Where(r => r.TenantId == tenantId && r.Key == key)
                    .ExecuteUpdateAsync(s => s
                        .SetProperty(r => r.CredentialId, response.Id)
                        .SetProperty(r => r.ResponseBody, body), ct);
                await tx.CommitAsync(ct);
                return new Fresh(response);
            }
        }

        var record = await db.IdempotencyRecords.AsNoTracking()
            .FirstAsync(r => r.TenantId == tenantId && r.Key == key, ct);
        if (!record.Fingerprint.AsSpan().SequenceEqual(fingerprint)) return new Mismatch();
        return new Replayed(JsonSerializer.Deserialize(record.ResponseBody!, CredentialServiceJsonContext.Default.CredentialResponse)!);
    }
}
