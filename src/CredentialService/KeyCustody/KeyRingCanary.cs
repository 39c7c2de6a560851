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

    /// <summary>
    /// Re-protects the canary under the current key when its key is old or revoked, as rewrap does for every stored
    /// App API Key: otherwise the canary alone would keep needing a retired key (and the certificate that encrypts
    /// it), and readiness would fail once that certificate is removed. A canary that does not decrypt is left as it
    /// is: it is the alarm.
    /// </summary>
    public async Task RewrapAsync(CancellationToken cancellationToken)
    {
        var canary = await db.KeyRingCanaries.AsNoTracking().OrderBy(c => c.Id).FirstOrDefaultAsync(cancellationToken);
        if (canary is null) return;

        byte[] plain;
        bool requiresMigration, wasRevoked;
        try
        {
            plain = Protector.DangerousUnprotect(canary.Ciphertext, ignoreRevocationErrors: true, out requiresMigration, out wasRevoked);
        }
        catch (CryptographicException ex)
        {
            LogCanaryNotRewrapped(logger, ex.Message);
            return;
        }

        if (!requiresMigration && !wasRevoked) return;
        var ciphertext = Protector.Protect(plain);
        var old = canary.Ciphertext;
        var id = canary.Id;
        if (await db.KeyRingCanaries
                .Where(c => c.Id == id && c.Ciphertext == old)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.Ciphertext, ciphertext), cancellationToken) == 1)
        {
            LogCanaryRewrapped(logger);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Key-ring canary written")]
    private static partial void LogCanaryWritten(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rewrap: key-ring canary re-protected under the current key")]
    private static partial void LogCanaryRewrapped(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rewrap: the key-ring canary does not decrypt and was left as it is: {Reason}")]
    private static partial void LogCanaryNotRewrapped(ILogger logger, string reason);
}
