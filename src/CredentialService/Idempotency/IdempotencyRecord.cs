using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CredentialService.Idempotency;

/// <summary>
/// The first response to a create with an <c>Idempotency-Key</c>, kept 24 h per tenant so a retry gets it again.
/// The request is remembered only as a fingerprint: a SHA-256 digest of it, protected with DataProtection (see
/// <see cref="IdempotentCreate"/>), so neither the key it carried nor a digest that could confirm a guess is stored.
/// </summary>
public sealed class IdempotencyRecord
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    public required string TenantId { get; set; }
    public required string Key { get; set; }
    public required byte[] Fingerprint { get; set; }
    public Guid? CredentialId { get; set; }
    public string? ResponseBody { get; set; }
    public DateTime CreatedAt { get; set; }

    /// <summary>The plain digest of a request; it is stored only protected (<see cref="IdempotentCreate"/>).</summary>
    public static byte[] FingerprintOf(string tenantId, string idempotencyKey, params string?[] normalizedFields)
    {
        var text = new StringBuilder().Append(tenantId).Append('\0').Append(idempotencyKey);
        foreach (var field in normalizedFields)
        {
            text.Append('\0').Append(field is null ? "\u0001null" : field);
        }

        return SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()));
    }
}

internal sealed class IdempotencyRecordConfiguration : IEntityTypeConfiguration<IdempotencyRecord>
{
    public void Configure(EntityTypeBuilder<IdempotencyRecord> builder)
    {
        builder.ToTable("idempotency_records");
        builder.HasKey(r => new { r.TenantId, r.Key });
        builder.Property(r => r.TenantId).HasMaxLength(200);
        builder.Property(r => r.Key).HasMaxLength(IdempotencyKeys.MaxLength);
        builder.Property(r => r.ResponseBody).HasColumnType("jsonb");
        builder.HasIndex(r => r.CreatedAt);
    }
}

public static class IdempotencyKeys
{
    public const string Header = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";
    public const int MaxLength = 255;

    /// <summary>What <see cref="IsValid"/> accepts, for the OpenAPI document.</summary>
    public const string Pattern = "^[!-~]{1,255}$";

    public static bool IsValid(string key) =>
        key.Length is > 0 and <= MaxLength && key.All(c => c is >= '!' and <= '~');
}
