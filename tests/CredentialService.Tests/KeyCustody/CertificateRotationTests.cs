using System.Net;
using CredentialService.FakeCustomerIo;
using CredentialService.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Npgsql;

namespace CredentialService.Tests.KeyCustody;

/// <summary>
/// The key ring is encrypted at rest with an X.509 certificate; rotating that certificate must lose nothing, and a
/// wrong certificate must show up in readiness instead of as a slow trickle of undecryptable credentials.
/// </summary>
public sealed class CertificateRotationTests : KeyRingTest
{
    private const string Production = "Production";

    [Fact]
    public async Task Keys_written_under_certificate_A_are_encrypted_at_rest_and_readable_after_rotating_to_B_with_A_as_previous()
    {
        var (a, b) = (World.NewCertificate("ring-a"), World.NewCertificate("ring-b"));
        var host = World.StartHost(a.AsCurrent(), Production);
        var keys = new Dictionary<Guid, (string Tenant, string Key)>();
        foreach (var tenant in new[] { NewTenant(), NewTenant() })
        {
            var key = NewKey();
            keys[await host.ClientFor(tenant).CreateWorkingCredential(World.Us, key)] = (tenant, key);
        }

        var keyRows = (await World.KeyRingRows()).Where(r => r.FriendlyName.StartsWith("key-", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(keyRows);
        Assert.All(keyRows, row =>
        {
            Assert.Contains("EncryptedData", row.Xml, StringComparison.Ordinal);
            Assert.Contains(a.Base64Der, row.Xml, StringComparison.Ordinal);
            Assert.DoesNotContain("<masterKey", row.Xml, StringComparison.Ordinal);
        });
        await host.DisposeAsync();

        host = World.StartHost(b.AsCurrent(previous: a), Production);

        var (status, body) = await host.Readiness();
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Healthy", body["checks"]!["key_ring"]!["status"]!.GetValue<string>());
        foreach (var (id, (tenant, key)) in keys)
        {
            Assert.Equal(key, await host.ClientFor(tenant).SecretKey(id));
            Assert.Equal("ok", await host.ClientFor(tenant).StoredTestOutcome(id));
        }
    }

    [Fact]
    public async Task After_rotating_to_B_a_new_key_and_a_rewrap_the_service_runs_without_certificate_A()
    {
        var (a, b) = (World.NewCertificate("ring-a"), World.NewCertificate("ring-b"));
        var host = World.StartHost(a.AsCurrent(), Production);
        var tenant = NewTenant();
        var keys = new Dictionary<Guid, string>();
        for (var i = 0; i < 2; i++)
        {
            var key = NewKey();
            keys[await host.ClientFor(tenant).CreateWorkingCredential(World.Us, key)] = key;
        }

        // The runbook: B current and A previous on every instance, a new key (here by revoking the old one), rewrap.
        host = await RestartWith(host, b.AsCurrent(previous: a));
        var oldKeyId = await World.KeyIdOfCredential(keys.Keys.First());
        Assert.Contains(await PayloadsPerKeyAsync(a), row => row.EncryptedUnder == "OLD certificate" && row.Kind == "credential");
        host.Service<IKeyManager>().RevokeAllKeys(DateTimeOffset.UtcNow, reason: "test: certificate rotation");
        var newKeyId = await KeyRingWorld.DefaultKeyAfterRefreshAsync(host, oldKeyId);
        Assert.Equal(new RewrapCounts(Scanned: 2, Rewrapped: 2, Failed: 0), await AdminOf(host).Rewrap());
        Assert.Equal(newKeyId, await World.KeyIdOfCanary()); // the canary, too, no longer needs A

        // The runbook's check before removing A: no payload left under a key that A encrypts.
        var payloads = await PayloadsPerKeyAsync(a);
        Assert.Equal([("canary", 1L), ("credential", 2L)], payloads.Select(p => (p.Kind, p.Count)).Order());
        Assert.All(payloads, row => Assert.Equal((newKeyId.ToString(), "other certificate"), (row.KeyId, row.EncryptedUnder)));

        var newKeyRow = (await World.KeyRingRows()).Single(r => r.FriendlyName == $"key-{newKeyId}");
        Assert.Contains(b.Base64Der, newKeyRow.Xml, StringComparison.Ordinal);

        host = await RestartWith(host, b.AsCurrent());

        var (status, body) = await host.Readiness();
        Assert.True(status == HttpStatusCode.OK, body.ToJsonString());
        foreach (var (id, key) in keys)
        {
            Assert.Equal(key, await host.ClientFor(tenant).SecretKey(id));
        }
    }

    [Fact]
    public async Task An_instance_started_with_a_certificate_that_cannot_read_the_ring_is_not_ready_and_says_why()
    {
        var (a, b) = (World.NewCertificate("ring-a"), World.NewCertificate("ring-b"));
        var host = World.StartHost(a.AsCurrent(), Production);
        var tenant = NewTenant();
        var id = await host.ClientFor(tenant).CreateWorkingCredential(World.Us, NewKey());
        await host.DisposeAsync();

        host = World.StartHost(b.AsCurrent(), Production);

        var response = await host.CreateClient().GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var checks = (await response.ReadJson())["checks"]!;
        Assert.Equal("Healthy", checks["database"]!["status"]!.GetValue<string>());
        Assert.Equal("Unhealthy", checks["key_ring"]!["status"]!.GetValue<string>());
        // The unauthenticated answer is generic; the operator's explanation is in the log.
        Assert.Equal("unusable", checks["key_ring"]!["description"]!.GetValue<string>());
        var reason = host.Logs.Lines.First(l => l.Contains("Readiness: key ring unusable", StringComparison.Ordinal));
        Assert.Contains("canary", reason, StringComparison.Ordinal);
        Assert.Contains("data_protection_keys", reason, StringComparison.Ordinal);
        Assert.Contains("certificate", reason, StringComparison.Ordinal);
        Assert.Contains("is not the one this service started with (", reason, StringComparison.Ordinal);

        var secret = await host.ClientFor(tenant).GetAsync($"/v1/credentials/{id}/secret");
        Assert.Equal(HttpStatusCode.Conflict, secret.StatusCode);
        Assert.EndsWith("/credential-undecryptable", (await secret.ReadJson())["type"]!.GetValue<string>(), StringComparison.Ordinal);

        // The runbook when A is lost for good: accept the loss (new canary at the next start), users re-enter keys.
        await World.ExecuteAsync("DELETE FROM key_ring_canary");
        host = await RestartWith(host, b.AsCurrent());
        Assert.Equal(HttpStatusCode.OK, (await host.Readiness()).Status);
        var reentered = NewKey();
        World.Us.Respond(reentered, FakeReply.Ok());
        var patch = await host.ClientFor(tenant).PatchAsync($"/v1/credentials/{id}", Api.Json(new { appApiKey = reentered }));
        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        Assert.Equal(reentered, await host.ClientFor(tenant).SecretKey(id));
        Assert.Equal("ok", await host.ClientFor(tenant).StoredTestOutcome(id));
    }

    [Fact]
    public async Task A_pem_certificate_with_a_key_path_protects_the_ring_across_restarts()
    {
        var pem = World.NewCertificate("ring-pem");
        var host = World.StartHost(pem.AsCurrentPem(), Production);
        var (tenant, key) = (NewTenant(), NewKey());
        var id = await host.ClientFor(tenant).CreateWorkingCredential(World.Us, key);
        Assert.All((await World.KeyRingRows()).Where(r => r.FriendlyName.StartsWith("key-", StringComparison.Ordinal)),
            row => Assert.Contains(pem.Base64Der, row.Xml, StringComparison.Ordinal));

        host = await RestartWith(host, pem.AsCurrentPem());

        var (status, _) = await host.Readiness();
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(key, await host.ClientFor(tenant).SecretKey(id));
    }

    /// <summary>Runs the runbook's query: how many payloads each data-protection key holds, and what encrypts that key.</summary>
    private async Task<List<(string KeyId, string Kind, long Count, string EncryptedUnder)>> PayloadsPerKeyAsync(TestCertificate old)
    {
        await using var connection = new NpgsqlConnection(World.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(RunbookPayloadsPerKeySql.Replace(":'old_cert'", "@old_cert", StringComparison.Ordinal), connection);
        command.Parameters.AddWithValue("old_cert", old.Base64Der);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(string, string, long, string)>();
        while (await reader.ReadAsync()) rows.Add((reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3)));
        return rows;
    }

    /// <summary>The query docs/key-custody.md gives operators (psql variable old_cert: the old certificate, base64 DER).</summary>
    private const string RunbookPayloadsPerKeySql = """
        WITH payloads AS (
          SELECT 'credential' AS kind, substring(app_api_key_ciphertext from 5 for 16) AS b FROM credentials
          UNION ALL
          SELECT 'canary', substring(ciphertext from 5 for 16) FROM key_ring_canary
        ), ids AS (
          SELECT kind,
                 encode(substring(b from 4 for 1) || substring(b from 3 for 1) || substring(b from 2 for 1) || substring(b from 1 for 1), 'hex')
                 || '-' || encode(substring(b from 6 for 1) || substring(b from 5 for 1), 'hex')
                 || '-' || encode(substring(b from 8 for 1) || substring(b from 7 for 1), 'hex')
                 || '-' || encode(substring(b from 9 for 2), 'hex')
                 || '-' || encode(substring(b from 11 for 6), 'hex') AS key_id
          FROM payloads
        )
        SELECT ids.key_id, ids.kind, count(*) AS payloads,
               CASE WHEN k.xml IS NULL THEN 'KEY MISSING'
                    WHEN position(:'old_cert' in k.xml) > 0 THEN 'OLD certificate'
                    WHEN k.xml LIKE '%<masterKey%' THEN 'not encrypted'
                    ELSE 'other certificate' END AS key_encrypted_under
        FROM ids LEFT JOIN data_protection_keys k ON k.friendly_name = 'key-' || ids.key_id
        GROUP BY 1, 2, 4 ORDER BY 1, 2;
        """;

    private async Task<ServiceHost> RestartWith(ServiceHost host, Dictionary<string, string?> settings)
    {
        await host.DisposeAsync();
        return World.StartHost(settings, Production);
    }
}
