using System.Security.Cryptography;
using System.Text;
using CredentialService.Credentials;
using Microsoft.AspNetCore.DataProtection;

namespace CredentialService.KeyCustody;

/// <summary>
/// Encrypts App API Keys with DataProtection. The purpose chain (purpose, tenant, credential id) binds each
/// ciphertext to its row: copied to another row or tenant, it does not decrypt.
/// </summary>
public sealed class AppApiKeyProtector(IDataProtectionProvider provider)
{
    public const string Purpose = "CredentialService.CustomerIo.AppApiKey.v1";

    public byte[] Protect(AppApiKey key, string tenantId, Guid credentialId) =>
        For(tenantId, credentialId).Protect(Encoding.UTF8.GetBytes(key.Reveal()));

    /// <summary>
    /// Decrypts a stored key. Payloads under a revoked or superseded data-protection key still decrypt and come
    /// back with <see cref="Unprotected.NeedsRewrap"/> set; a payload that cannot be decrypted at all is an
    /// <see cref="CredentialUndecryptableException"/> naming the credential, never a null.
    /// </summary>
    public Unprotected Unprotect(byte[] ciphertext, string tenantId, Guid credentialId)
    {
        var protector = (IPersistedDataProtector)For(tenantId, credentialId);
        try
        {
            var plain = protector.DangerousUnprotect(
                ciphertext, ignoreRevocationErrors: true, out var requiresMigration, out var wasRevoked);
            return new Unprotected(AppApiKey.FromValidated(Encoding.UTF8.GetString(plain)), requiresMigration || wasRevoked);
        }
        catch (CryptographicException ex)
        {
            throw new CredentialUndecryptableException(credentialId, ex);
        }
    }

    /// <summary>
    /// The plaintext key of a stored credential. A payload under an old or revoked data-protection key is re-protected
    /// under the current key on the entity (lazy rewrap); the caller's SaveChanges persists it.
    /// </summary>
    public AppApiKey Reveal(Credential credential)
    {
        var (key, needsRewrap) = Unprotect(credential.AppApiKeyCiphertext, credential.TenantId, credential.Id);
        if (needsRewrap)
        {
            credential.AppApiKeyCiphertext = Protect(key, credential.TenantId, credential.Id);
        }

        return key;
    }

    /// <summary>
    /// The plaintext key of a credential read without tracking, and its ciphertext under the current key when the
    /// stored one was under an old or revoked data-protection key (lazy rewrap: the caller writes it with its change).
    /// </summary>
    public (AppApiKey Key, byte[]? Rewrapped) Reveal(StoredKey stored)
    {
        var (key, needsRewrap) = Unprotect(stored.AppApiKeyCiphertext, stored.TenantId, stored.Id);
        return (key, needsRewrap ? Protect(key, stored.TenantId, stored.Id) : null);
    }

    private IDataProtector For(string tenantId, Guid credentialId) =>
        provider.CreateProtector(Purpose, tenantId, credentialId.ToString("D"));

    public readonly record struct Unprotected(AppApiKey Key, bool NeedsRewrap);
}

/// <summary>The stored key of a credential cannot be decrypted: the key ring lost the key that protected it.</summary>
public sealed class CredentialUndecryptableException(Guid credentialId, CryptographicException inner)
    : Exception($"The App API Key of credential {credentialId} cannot be decrypted: {inner.Message}", inner)
{
    public Guid CredentialId { get; } = credentialId;
}
