using System.Net;
using Microsoft.AspNetCore.DataProtection.KeyManagement;

namespace CredentialService.Tests.KeyCustody;

/// <summary>Several instances on one database share one key ring: what one writes, the others read.</summary>
public sealed class SharedKeyRingTests : KeyRingTest
{
    [Fact]
    public async Task Two_instances_started_together_on_one_database_read_and_test_each_others_credentials()
    {
        var starting = new[] { Task.Run(() => World.StartHost()), Task.Run(() => World.StartHost()) };
        var (first, second) = (await starting[0], await starting[1]);
        var tenant = NewTenant();
        var (firstKey, secondKey) = (NewKey(), NewKey());

        var createdOnFirst = await first.ClientFor(tenant).CreateWorkingCredential(World.Us, firstKey);
        var createdOnSecond = await second.ClientFor(tenant).CreateWorkingCredential(World.Us, secondKey);

        Assert.Equal(firstKey, await second.ClientFor(tenant).SecretKey(createdOnFirst));
        Assert.Equal("ok", await second.ClientFor(tenant).StoredTestOutcome(createdOnFirst));
        Assert.Equal(secondKey, await first.ClientFor(tenant).SecretKey(createdOnSecond));
        Assert.Equal("ok", await first.ClientFor(tenant).StoredTestOutcome(createdOnSecond));
        foreach (var host in new[] { first, second })
        {
            var (status, _) = await host.Readiness();
            Assert.Equal(HttpStatusCode.OK, status);
        }
    }

    [Fact]
    public async Task A_key_that_replaces_the_default_on_one_instance_is_used_by_the_other_once_it_meets_a_payload_under_it()
    {
        var (first, second) = (World.StartHost(), World.StartHost());
        var tenant = NewTenant();
        var before = await first.ClientFor(tenant).CreateWorkingCredential(World.Us, NewKey());
        var oldKeyId = await World.KeyIdOfCredential(before);

        first.Service<IKeyManager>().RevokeAllKeys(DateTimeOffset.UtcNow, reason: "test: rotate now");
        var newKeyId = await KeyRingWorld.DefaultKeyAfterRefreshAsync(first, oldKeyId);
        var afterKey = NewKey();
        var after = await first.ClientFor(tenant).CreateWorkingCredential(World.Us, afterKey);
        Assert.Equal(newKeyId, await World.KeyIdOfCredential(after));

        // The second instance still caches the old ring (DataProtection refreshes it every 24 hours, or when it meets an
        // unknown key id within 2 minutes of the instance's start): it protects new payloads under the revoked key.
        var beforeRead = await second.ClientFor(tenant).CreateWorkingCredential(World.Us, NewKey());
        Assert.Equal(oldKeyId, await World.KeyIdOfCredential(beforeRead));

        // Reading a payload under the new key makes it re-read the ring; from then on it uses the new key too.
        Assert.Equal(afterKey, await second.ClientFor(tenant).SecretKey(after));
        var afterRead = await second.ClientFor(tenant).CreateWorkingCredential(World.Us, NewKey());
        Assert.Equal(newKeyId, await World.KeyIdOfCredential(afterRead));

        Assert.Equal(new RewrapCounts(Scanned: 4, Rewrapped: 2, Failed: 0), await AdminOf(second).Rewrap());
        Assert.Equal(new RewrapCounts(Scanned: 4, Rewrapped: 0, Failed: 0), await AdminOf(first).Rewrap());
    }

    [Fact]
    public async Task A_new_key_with_immediate_activation_does_not_replace_a_valid_default_key_that_is_not_yet_two_days_old()
    {
        var (first, second) = (World.StartHost(), World.StartHost());
        var tenant = NewTenant();
        var before = await first.ClientFor(tenant).CreateWorkingCredential(World.Us, NewKey());
        var oldKeyId = await World.KeyIdOfCredential(before);

        var now = DateTimeOffset.UtcNow;
        var created = first.Service<IKeyManager>().CreateNewKey(activationDate: now, expirationDate: now.AddDays(90));

        Assert.Contains(second.Service<IKeyManager>().GetAllKeys(), k => k.KeyId == created.KeyId);
        foreach (var host in new[] { first, second })
        {
            var id = await host.ClientFor(tenant).CreateWorkingCredential(World.Us, NewKey());
            Assert.Equal(oldKeyId, await World.KeyIdOfCredential(id));
        }

        Assert.Equal(new RewrapCounts(Scanned: 3, Rewrapped: 0, Failed: 0), await AdminOf(second).Rewrap());
    }
}
