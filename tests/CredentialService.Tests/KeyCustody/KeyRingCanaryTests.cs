using System.Net;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;

namespace CredentialService.Tests.KeyCustody;

/// <summary>
/// The key-ring canary behind readiness: a revoked key does not make the service unready (revocation is not loss),
/// a canary that decrypts to another value does, and rewrap moves the canary once, then leaves it alone.
/// </summary>
public sealed class KeyRingCanaryTests : KeyRingTest
{
    /// <summary>The purpose the service protects its canary with (KeyCustody/KeyRingCanary.cs).</summary>
    private const string CanaryPurpose = "CredentialService.KeyRingCanary.v1";

    [Fact]
    public async Task After_every_key_is_revoked_the_service_stays_ready_and_rewrap_moves_the_canary_once()
    {
        var host = World.StartHost();
        var revokedKeyId = await World.KeyIdOfCanary();
        host.Service<IKeyManager>().RevokeAllKeys(DateTimeOffset.UtcNow, reason: "test: suspected key-ring leak");
        var newKeyId = await KeyRingWorld.DefaultKeyAfterRefreshAsync(host, revokedKeyId);

        // A second instance computes readiness afresh: the canary is still under the revoked key, and still decrypts.
        var second = World.StartHost();
        var (status, body) = await second.Readiness();
        Assert.True(status == HttpStatusCode.OK, body.ToJsonString());
        Assert.Equal(revokedKeyId, await World.KeyIdOfCanary());

        var admin = AdminOf(host);
        await admin.Rewrap();
        Assert.Equal(newKeyId, await World.KeyIdOfCanary());
        var canary = await World.CanaryCiphertext();

        await admin.Rewrap();
        Assert.Equal(canary, await World.CanaryCiphertext()); // under the current key already: not re-protected
    }

    [Fact]
    public async Task A_canary_that_decrypts_to_another_value_makes_the_service_not_ready_and_the_log_says_so()
    {
        var host = World.StartHost();
        var other = host.Service<IDataProtectionProvider>().CreateProtector(CanaryPurpose)
            .Protect(Encoding.UTF8.GetBytes("not the canary's value"));
        Assert.Equal(1, await World.ExecuteAsync("UPDATE key_ring_canary SET ciphertext = @c", ("c", other)));

        var second = World.StartHost();
        var (status, body) = await second.Readiness();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("unusable", body["checks"]!["key_ring"]!["description"]!.GetValue<string>());
        Assert.Contains(second.Logs.Lines, line => line.Contains(
            "Readiness: key ring unusable: the key-ring canary decrypted to a wrong value", StringComparison.Ordinal));
    }
}
