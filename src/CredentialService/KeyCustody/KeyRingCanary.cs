using System.Security.Cryptography;
using System.Text;
using CredentialService.Data;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CredentialService.KeyCustody;

/// <summary>A value protected at first start. If it stops decrypting, the key ring was lost or changed.</summary>
public sealed class KeyRingCanary
{
    public int Id { get; set; }
    public required byte[] Ciphertext { get; set; }
    public DateTime CreatedAt { get; set; }
}

internal sealed class KeyRingCanaryConfiguration : IEntityTypeConfiguration<KeyRingCanary>
{
    public void Configure(EntityTypeBuilder<KeyRingCanary> builder)
    {
        builder.ToTable("key_ring_canary");
        builder.Property(c => c.Id).ValueGeneratedNever();
    }
}

public sealed partial class KeyRingCanaryStore(
    CredentialsDbContext db, IDataProtectionProvider provider, ILogger<KeyRingCanaryStore> logger)
{
    private const string Purpose = "CredentialService.KeyRingCanary.v1";
    private const string Value = "credential-service key ring canary";

    private IPersistedDataProtector Protector => (IPersistedDataProtector)provider.CreateProtector(Purpose);

    /// <summary>Writes the canary once; concurrent first starts of several instances keep the first one.</summary>
    public async Task EnsureAsync(CancellationToken cancellationToken)
    {
        if (await db.KeyRingCanaries.AsNoTracking().AnyAsync(cancellationToken)) return;
        var ciphertext = Protector.Protect(Encoding.UTF8.GetBytes(Value));
        await db.Database.ExecuteSqlAsync(
            $"INSERT INTO key_ring_canary (id, ciphertext, created_at) VALUES (1, {ciphertext}, now()) ON CONFLICT (id) DO NOTHING",
            cancellationToken);
        LogCanaryWritten(logger);
    }

    /// <summary>Null when the canary decrypts (or there is none yet), else the reason it does not.</summary>
    public async Task<string?> CheckAsync(CancellationToken cancellationToken)
    {
        var canary = await db.KeyRingCanaries.AsNoTracking().OrderBy(c => c.Id).FirstOrDefaultAsync(cancellationToken);
        if (canary is null) return null;
        try
        {
            var plain = Protector.DangerousUnprotect(canary.Ciphertext, ignoreRevocationErrors: true, out _, out _);
            return Encoding.UTF8.GetString(plain) == Value ? null : "the key-ring canary decrypted to a wrong value";
        }
        catch (CryptographicException ex)
        {
            return "the key-ring canary written at first start no longer decrypts: the data-protection key ring " +
                   "(table data_protection_keys) or the certificate that protects it is not the one this service " +
                   $"started with ({ex.Message})";
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Key-ring canary written")]
    private static partial void LogCanaryWritten(ILogger logger);
}
