using System.Net;
using System.Text.Json.Nodes;
using CredentialService.FakeCustomerIo;
using CredentialService.Tests.Infrastructure;

namespace CredentialService.Tests.KeyCustody;

/// <summary>
/// A stored key that cannot be decrypted is the service's problem, not the customer's: it is a 409
/// credential-undecryptable naming the credential, never an "invalid key" verdict, a 500 or another row's key.
/// </summary>
public sealed class UndecryptableCredentialTests : KeyRingTest
{
    [Fact]
    public async Task A_ciphertext_copied_from_another_row_is_a_409_that_says_so_and_rewrap_counts_and_logs_it()
    {
        var host = World.StartHost();
        var tenant = NewTenant();
        var client = host.ClientFor(tenant);
        var (victimKey, donorKey) = (NewKey(), NewKey());
        var victim = await client.CreateWorkingCredential(World.Us, victimKey);
        var donor = await client.CreateWorkingCredential(World.Us, donorKey);
        var invalid = (await client.CreateCredential(NewKey()))["id"]!.GetValue<Guid>(); // the fakes answer 401 to it
        await World.ExecuteAsync(
            "UPDATE credentials SET app_api_key_ciphertext = (SELECT app_api_key_ciphertext FROM credentials WHERE id = @donor) WHERE id = @victim",
            ("donor", donor), ("victim", victim));
        var copied = await World.CiphertextOf(victim);
        var upstreamCallsBefore = World.Us.Requests.Count + World.Eu.Requests.Count;

        var test = await client.PostAsync($"/v1/credentials/{victim}/test", null);
        await AssertUndecryptable(test, victim, donorKey);
        var secret = await client.GetAsync($"/v1/credentials/{victim}/secret");
        await AssertUndecryptable(secret, victim, donorKey);
        Assert.Equal(upstreamCallsBefore, World.Us.Requests.Count + World.Eu.Requests.Count);

        Assert.Equal("invalid_key", await client.StoredTestOutcome(invalid)); // what a bad Customer.io key looks like
        Assert.Equal("ok", await client.StoredTestOutcome(donor));
        Assert.Null((await client.GetJson($"/v1/credentials/{victim}"))["lastTest"]);

        Assert.Equal(new RewrapCounts(Scanned: 3, Rewrapped: 0, Failed: 1), await AdminOf(host).Rewrap());
        Assert.Equal(copied, await World.CiphertextOf(victim)); // never replaced
        Assert.Contains(host.Logs.Lines, line =>
            line.StartsWith("Error ", StringComparison.Ordinal) && line.Contains("Rewrap", StringComparison.Ordinal)
            && line.Contains(victim.ToString(), StringComparison.Ordinal) && line.Contains("cannot be decrypted", StringComparison.Ordinal));
        Assert.DoesNotContain(host.Logs.Lines, line => line.Contains(donorKey, StringComparison.Ordinal) || line.Contains(victimKey, StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_the_key_ring_lost_readiness_fails_every_credential_is_a_409_and_re_entering_the_key_recovers_it()
    {
        var host = World.StartHost();
        var tenant = NewTenant();
        var (lostKey, reenteredKey) = (NewKey(), NewKey());
        var lost = await host.ClientFor(tenant).CreateWorkingCredential(World.Us, lostKey);
        var reentered = await host.ClientFor(tenant).CreateWorkingCredential(World.Us, NewKey());

        await World.ExecuteAsync("DELETE FROM data_protection_keys");
        host = await World.RestartAsync(host);
        var client = host.ClientFor(tenant);

        var (status, body) = await host.Readiness();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("unusable", body["checks"]!["key_ring"]!["description"]!.GetValue<string>());
        Assert.Contains(host.Logs.Lines, l => l.Contains("Readiness: key ring unusable", StringComparison.Ordinal) && l.Contains("canary", StringComparison.Ordinal));
        await AssertUndecryptable(await client.GetAsync($"/v1/credentials/{lost}/secret"), lost, otherKey: null);
        await AssertUndecryptable(await client.PostAsync($"/v1/credentials/{lost}/test", null), lost, otherKey: null);
        Assert.Equal(new RewrapCounts(Scanned: 2, Rewrapped: 0, Failed: 2), await AdminOf(host).Rewrap());
        foreach (var id in new[] { lost, reentered })
        {
            Assert.Contains(host.Logs.Lines, line => line.Contains($"Rewrap: credential {id} cannot be decrypted", StringComparison.Ordinal));
        }

        // The runbook: accept the loss (a new canary at the next start), then users send their keys again.
        await World.ExecuteAsync("DELETE FROM key_ring_canary");
        host = await World.RestartAsync(host);
        client = host.ClientFor(tenant);
        (status, _) = await host.Readiness();
        Assert.Equal(HttpStatusCode.OK, status);

        World.Us.Respond(reenteredKey, FakeReply.Ok());
        var patch = await client.PatchAsync($"/v1/credentials/{reentered}", Api.Json(new { appApiKey = reenteredKey }));
        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        Assert.Equal(reenteredKey, await client.SecretKey(reentered));
        Assert.Equal("ok", await client.StoredTestOutcome(reentered));
        await AssertUndecryptable(await client.GetAsync($"/v1/credentials/{lost}/secret"), lost, otherKey: null);
        Assert.Equal(new RewrapCounts(Scanned: 2, Rewrapped: 0, Failed: 1), await AdminOf(host).Rewrap());
    }

    private static async Task AssertUndecryptable(HttpResponseMessage response, Guid id, string? otherKey)
    {
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        var problem = JsonNode.Parse(text)!;
        Assert.Equal("https://credential-service/problems/credential-undecryptable", problem["type"]!.GetValue<string>());
        var detail = problem["detail"]!.GetValue<string>();
        Assert.Contains(id.ToString(), detail, StringComparison.Ordinal);
        Assert.Contains("not a problem with the Customer.io key", detail, StringComparison.Ordinal);
        if (otherKey is not null) Assert.DoesNotContain(otherKey, text, StringComparison.Ordinal);
    }
}
