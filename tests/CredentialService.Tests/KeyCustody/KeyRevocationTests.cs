using Microsoft.AspNetCore.DataProtection.KeyManagement;

namespace CredentialService.Tests.KeyCustody;

/// <summary>
/// A revoked data-protection key no longer protects anything new, but what it protected must stay readable until it
/// is rewrapped: the service reads stored keys with DangerousUnprotect(ignoreRevocationErrors: true).
/// </summary>
public sealed class KeyRevocationTests : KeyRingTest
{
    [Fact]
    public async Task After_revoking_every_key_old_credentials_still_work_and_rewrap_moves_them_under_a_new_key_once()
    {
        var host = World.StartHost();
        var keys = new List<(Guid Id, string Tenant, string Key)>();
        foreach (var tenant in new[] { NewTenant(), NewTenant(), NewTenant() })
        {
            var key = NewKey();
            keys.Add((await host.ClientFor(tenant).CreateWorkingCredential(World.Us, key), tenant, key));
        }

        var revokedKeyId = await World.KeyIdOfCredential(keys[0].Id);
        host.Service<IKeyManager>().RevokeAllKeys(DateTimeOffset.UtcNow, reason: "test: suspected key-ring leak");
        var newKeyId = await KeyRingWorld.DefaultKeyAfterRefreshAsync(host, revokedKeyId);

        // Revoked, still readable: a stored test and a secret read work, and rewrap their credential on the way.
        Assert.Equal("ok", await host.ClientFor(keys[0].Tenant).StoredTestOutcome(keys[0].Id));
        Assert.Equal(keys[1].Key, await host.ClientFor(keys[1].Tenant).SecretKey(keys[1].Id));
        Assert.Equal(newKeyId, await World.KeyIdOfCredential(keys[0].Id));
        Assert.Equal(newKeyId, await World.KeyIdOfCredential(keys[1].Id));
        Assert.Equal(revokedKeyId, await World.KeyIdOfCredential(keys[2].Id));

        var admin = AdminOf(host);
        Assert.Equal(new RewrapCounts(Scanned: 3, Rewrapped: 1, Failed: 0), await admin.Rewrap());
        Assert.Equal(new RewrapCounts(Scanned: 3, Rewrapped: 0, Failed: 0), await admin.Rewrap());

        foreach (var (id, tenant, key) in keys)
        {
            Assert.Equal(newKeyId, await World.KeyIdOfCredential(id));
            Assert.Equal("ok", await host.ClientFor(tenant).StoredTestOutcome(id));
            Assert.Equal(key, await host.ClientFor(tenant).SecretKey(id));
        }
    }

    [Fact]
    public async Task A_key_revoked_by_id_stays_revoked_after_a_restart_and_rewrap_moves_every_credential_off_it()
    {
        var host = World.StartHost();
        var tenant = NewTenant();
        var keys = new Dictionary<Guid, string>();
        for (var i = 0; i < 3; i++)
        {
            var key = NewKey();
            keys[await host.ClientFor(tenant).CreateWorkingCredential(World.Us, key)] = key;
        }

        var revokedKeyId = await World.KeyIdOfCredential(keys.Keys.First());
        host.Service<IKeyManager>().RevokeKey(revokedKeyId, reason: "test: revoke one key");
        host = await World.RestartAsync(host);

        Assert.Contains(host.Service<IKeyManager>().GetAllKeys(), k => k.KeyId == revokedKeyId && k.IsRevoked);
        var admin = AdminOf(host);
        Assert.Equal(new RewrapCounts(Scanned: 3, Rewrapped: 3, Failed: 0), await admin.Rewrap());
        Assert.Equal(new RewrapCounts(Scanned: 3, Rewrapped: 0, Failed: 0), await admin.Rewrap());

        var client = host.ClientFor(tenant);
        foreach (var (id, key) in keys)
        {
            Assert.NotEqual(revokedKeyId, await World.KeyIdOfCredential(id));
            Assert.Equal("ok", await client.StoredTestOutcome(id));
            Assert.Equal(key, await client.SecretKey(id));
        }
    }

    [Fact]
    public async Task The_runbooks_sql_revocation_takes_effect_at_the_next_start_and_rewrap_then_moves_every_credential()
    {
        var host = World.StartHost();
        var tenant = NewTenant();
        var keys = new Dictionary<Guid, string>();
        for (var i = 0; i < 2; i++)
        {
            var key = NewKey();
            keys[await host.ClientFor(tenant).CreateWorkingCredential(World.Us, key)] = key;
        }

        var revokedKeyId = await World.KeyIdOfCredential(keys.Keys.First());
        Assert.Equal(1, await World.ExecuteAsync(RunbookRevokeEverySql));
        host = await World.RestartAsync(host);

        Assert.Contains(host.Service<IKeyManager>().GetAllKeys(), k => k.KeyId == revokedKeyId && k.IsRevoked);
        Assert.Equal(new RewrapCounts(Scanned: 2, Rewrapped: 2, Failed: 0), await AdminOf(host).Rewrap());
        var client = host.ClientFor(tenant);
        foreach (var (id, key) in keys)
        {
            Assert.NotEqual(revokedKeyId, await World.KeyIdOfCredential(id));
            Assert.Equal(key, await client.SecretKey(id));
        }
    }

    /// <summary>The statement docs/key-custody.md gives operators: revoke every key created before now.</summary>
    private const string RunbookRevokeEverySql = """
        INSERT INTO data_protection_keys (friendly_name, xml)
        SELECT 'revocation-' || to_char(now() AT TIME ZONE 'UTC', 'YYYYMMDD"T"HH24MISSUS"Z"'),
               '<revocation version="1"><revocationDate>'
               || to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
               || '</revocationDate><key id="*" /><reason>operator: revoke every key</reason></revocation>';
        """;
}
