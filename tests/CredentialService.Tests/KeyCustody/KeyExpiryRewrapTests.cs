using System.Globalization;

namespace CredentialService.Tests.KeyCustody;

/// <summary>Data-protection keys expire; credentials stored under them must stay readable and move to the new key.</summary>
public sealed class KeyExpiryRewrapTests : KeyRingTest
{
    [Fact]
    public async Task After_every_key_expires_and_a_restart_rewrap_moves_each_older_credential_to_the_new_key_exactly_once()
    {
        var host = World.StartHost();
        var (tenantA, tenantB) = (NewTenant(), NewTenant());
        var keys = new Dictionary<Guid, (string Tenant, string Key)>();
        foreach (var tenant in new[] { tenantA, tenantA, tenantB })
        {
            var key = NewKey();
            keys[await host.ClientFor(tenant).CreateWorkingCredential(World.Us, key)] = (tenant, key);
        }

        var oldKeyId = await World.KeyIdOfCredential(keys.Keys.First());

        Assert.Equal(1, await ExpireEveryKeyAsync());
        host = await World.RestartAsync(host);

        var newest = NewKey();
        keys[await host.ClientFor(tenantB).CreateWorkingCredential(World.Us, newest)] = (tenantB, newest);
        var newKeyId = await World.KeyIdOfCredential(keys.Keys.Last());
        Assert.NotEqual(oldKeyId, newKeyId);

        var admin = AdminOf(host);
        Assert.Equal(new RewrapCounts(Scanned: 4, Rewrapped: 3, Failed: 0), await admin.Rewrap());
        foreach (var id in keys.Keys) Assert.Equal(newKeyId, await World.KeyIdOfCredential(id));
        Assert.Equal(newKeyId, await World.KeyIdOfCanary());
        Assert.Equal(new RewrapCounts(Scanned: 4, Rewrapped: 0, Failed: 0), await admin.Rewrap());

        foreach (var (id, (tenant, key)) in keys)
        {
            var client = host.ClientFor(tenant);
            Assert.Equal("ok", await client.StoredTestOutcome(id));
            Assert.Equal(key, await client.SecretKey(id));
        }
    }

    [Fact]
    public async Task After_key_expiry_reading_a_secret_or_testing_a_credential_rewraps_it_so_bulk_rewrap_has_less_to_do()
    {
        var host = World.StartHost();
        var tenant = NewTenant();
        var client = host.ClientFor(tenant);
        var (readKey, testedKey, untouchedKey) = (NewKey(), NewKey(), NewKey());
        var read = await client.CreateWorkingCredential(World.Us, readKey);
        var tested = await client.CreateWorkingCredential(World.Us, testedKey);
        var untouched = await client.CreateWorkingCredential(World.Us, untouchedKey);
        var before = await World.CiphertextOf(read);

        await ExpireEveryKeyAsync();
        host = await World.RestartAsync(host);
        client = host.ClientFor(tenant);

        Assert.Equal(readKey, await client.SecretKey(read));
        Assert.Equal("ok", await client.StoredTestOutcome(tested));

        var after = await World.CiphertextOf(read);
        Assert.NotEqual(before, after);
        Assert.NotEqual(KeyRingWorld.KeyIdOf(before), KeyRingWorld.KeyIdOf(after));
        Assert.Equal(KeyRingWorld.KeyIdOf(after), await World.KeyIdOfCredential(tested));
        Assert.NotEqual(KeyRingWorld.KeyIdOf(after), await World.KeyIdOfCredential(untouched));

        Assert.Equal(new RewrapCounts(Scanned: 3, Rewrapped: 1, Failed: 0), await AdminOf(host).Rewrap());
        Assert.Equal(readKey, await client.SecretKey(read));
        Assert.Equal(untouchedKey, await client.SecretKey(untouched));
    }

    /// <summary>What an expired key looks like to the service: its stored expirationDate is in the past.</summary>
    private Task<int> ExpireEveryKeyAsync() => World.ExecuteAsync(
        "UPDATE data_protection_keys SET xml = regexp_replace(xml, '<expirationDate>[^<]*</expirationDate>', " +
        "'<expirationDate>' || @now || '</expirationDate>') WHERE xml LIKE '<key %'",
        ("now", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture)));
}
