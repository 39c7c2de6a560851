using CredentialService.Credentials;
using CredentialService.KeyCustody;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace CredentialService.Proxy;

/// <summary>
/// Decrypted keys kept in this process for at most <c>Proxy:KeyCacheSeconds</c> (0: decrypt on every request).
/// An entry is keyed by the credential's id and row version, and the row is read on every request anyway (tenant
/// check, region): a rotation or a delete on any instance changes or removes the row, so the next request misses the
/// old entry, which then just expires. The cache saves the decryption, never the check.
/// </summary>
public sealed class ProxyKeyCache(AppApiKeyProtector protector, IOptions<ProxyOptions> options) : IDisposable
{
    private readonly MemoryCache cache = new(new MemoryCacheOptions { SizeLimit = 100_000 });

    public AppApiKey KeyOf(Guid credentialId, string tenantId, long version, byte[] ciphertext)
    {
        var seconds = options.Value.KeyCacheSeconds;
        if (seconds <= 0) return protector.Unprotect(ciphertext, tenantId, credentialId).Key;

        var entry = (credentialId, version);
        if (cache.TryGetValue(entry, out AppApiKey? key) && key is not null) return key;

        key = protector.Unprotect(ciphertext, tenantId, credentialId).Key; // an undecryptable key throws: nothing cached
        cache.Set(entry, key, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(seconds), Size = 1 });
        return key;
    }

    public void Dispose() => cache.Dispose();
}
