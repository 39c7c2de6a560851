using System.ComponentModel.DataAnnotations;
using CredentialService.Credentials;
using CredentialService.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CredentialService.KeyCustody;

/// <summary>A credential whose stored App API Key is protected under a given data-protection key. Never the key itself.</summary>
public sealed record KeyUsageItem(
    [property: MaxLength(Infrastructure.Auth.Caller.MaxIdentifierLength)] string TenantId,
    Guid Id,
    [property: MaxLength(200)] string Name,
    [property: StringLength(AppApiKey.Last4Length, MinimumLength = AppApiKey.Last4Length)] string AppApiKeyLast4);

public sealed record KeyUsagePage(
    [property: MaxLength(KeyUsageApi.MaxLimit)] IReadOnlyList<KeyUsageItem> Items,
    [property: StringLength(CredentialCursor.Length, MinimumLength = CredentialCursor.Length), RegularExpression(CredentialCursor.Pattern)] string? NextCursor,
    [property: Range(1, KeyUsageApi.MaxLimit)] int Limit);

/// <summary>
/// Which credentials a data-protection key protects, across all tenants: after a compromise of the key ring, these
/// are the App API Keys to rotate at Customer.io (rewrapping re-encrypts them, but whoever took the ring may already
/// have decrypted them). Paged by credential id (keyset); each page reads the table until it has found a page.
/// </summary>
public static class KeyUsageApi
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 500;

    public static RouteHandlerBuilder MapKeyUsage(this RouteGroupBuilder adminGroup) =>
        adminGroup.MapGet("/data-protection-keys/{keyId:guid}/credentials", ListCredentialsUnderKey)
            .WithName("ListCredentialsUnderDataProtectionKey")
            .WithSummary("List the credentials whose key is protected under a data-protection key (all tenants)")
            .WithDescription("For a key-ring compromise: tenant, id, name and last four characters of each credential whose " +
                             "payload names this key id, ordered by id; limit 1..500 (default 100), cursor from nextCursor. " +
                             "Rotate these App API Keys at Customer.io; rewrap alone does not undo a leak.")
            .ProducesValidationProblem();

    public static async Task<Results<Ok<KeyUsagePage>, ValidationProblem>> ListCredentialsUnderKey(
        Guid keyId, CredentialsDbContext db, CancellationToken ct,
        [Range(1, MaxLimit)] int? limit = null,
        [StringLength(CredentialCursor.Length, MinimumLength = CredentialCursor.Length), RegularExpression(CredentialCursor.Pattern)] string? cursor = null)
    {
        var errors = new Dictionary<string, string[]>();
        var take = limit ?? DefaultLimit;
        if (take is < 1 or > MaxLimit) errors["limit"] = [$"limit must be between 1 and {MaxLimit}."];
        var after = Guid.Empty;
        if (cursor is not null && !CredentialCursor.TryDecode(cursor, out after))
            errors["cursor"] = ["cursor is not a value this service returned as nextCursor."];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        // A DataProtection payload starts with a 4-byte magic header, then the 16-byte id of the key that protected it.
        var keyIdBytes = keyId.ToByteArray();
        var page = await db.Credentials
            .FromSql($"SELECT * FROM credentials WHERE substring(app_api_key_ciphertext from 5 for 16) = {keyIdBytes}")
            .AsNoTracking()
            .Where(c => c.Id.CompareTo(after) > 0)
            .OrderBy(c => c.Id)
            .Take(take + 1)
            .Select(c => new KeyUsageItem(c.TenantId, c.Id, c.Name, c.AppApiKeyLast4))
            .ToListAsync(ct);
        var more = page.Count > take;
        if (more) page.RemoveAt(take);
        return TypedResults.Ok(new KeyUsagePage(page, more ? CredentialCursor.Encode(page[^1].Id) : null, take));
    }
}
