using System.Net;
using System.Security.Cryptography;
using System.Text;
using CredentialService.Tests.Infrastructure;

namespace CredentialService.Tests.Hardening;

/// <summary>
/// Idempotency records cannot confirm a guessed key (the fingerprint is keyed), expired ones are purged in the
/// background, and a replay never answers 201 for a credential that was deleted since.
/// </summary>
public sealed class IdempotencyHardeningTests : IsolatedServiceTest
{
    private static HttpRequestMessage Create(string key, object body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/credentials") { Content = Api.Json(body) };
        request.Headers.Add("Idempotency-Key", key);
        return request;
    }

    /// <summary>What someone who can read the table could compute from a guess: an unkeyed SHA-256 over the request.</summary>
    private static byte[] UnkeyedFingerprint(string tenant, string idempotencyKey, string name, string? description, string region, string appApiKey) =>
        SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\0', tenant, idempotencyKey, name, description ?? "\u0001null", region, appApiKey)));

    [Fact]
    public async Task The_stored_fingerprint_cannot_be_recomputed_from_a_guessed_key_and_replays_still_work()
    {
        var tenant = SharedService.NewTenant();
        var appApiKey = SharedService.NewKey();
        var body = new { name = "n", appApiKey };
        var client = Host.ClientFor(tenant);
        var first = await client.SendAsync(Create("guess-me", body));
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);

        var stored = await Sql.Scalar<byte[]>(ConnectionString, "SELECT fingerprint FROM idempotency_records WHERE tenant_id = @t", ("t", tenant));
        var guess = UnkeyedFingerprint(tenant, "guess-me", "n", null, "us", appApiKey);
        Assert.False(stored.AsSpan().IndexOf(guess) >= 0, "the stored fingerprint is the unkeyed SHA-256 of the request");

        var replay = await client.SendAsync(Create("guess-me", body));
        Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
        var other = await client.SendAsync(Create("guess-me", new { name = "n", appApiKey = SharedService.NewKey() }));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, other.StatusCode);
    }

    [Fact]
    public async Task A_record_written_before_the_upgrade_still_replays_until_it_expires()
    {
        var tenant = SharedService.NewTenant();
        var appApiKey = SharedService.NewKey();
        var body = new { name = "n", appApiKey };
        var client = Host.ClientFor(tenant);
        var first = await (await client.SendAsync(Create("legacy", body))).ReadJson();
        await Sql.Execute(ConnectionString, "UPDATE idempotency_records SET fingerprint = @f WHERE tenant_id = @t",
            ("f", UnkeyedFingerprint(tenant, "legacy", "n", null, "us", appApiKey)), ("t", tenant));

        var replay = await client.SendAsync(Create("legacy", body));
        Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(first["id"]!.GetValue<Guid>(), (await replay.ReadJson())["id"]!.GetValue<Guid>());
        Assert.Equal(HttpStatusCode.UnprocessableEntity,
            (await client.SendAsync(Create("legacy", new { name = "other", appApiKey }))).StatusCode);
    }

    [Fact]
    public async Task A_replay_after_the_credential_was_deleted_is_a_409_not_a_201()
    {
        var client = Host.ClientFor(SharedService.NewTenant());
        var body = new { name = "n", appApiKey = SharedService.NewKey() };
        var id = (await (await client.SendAsync(Create("gone", body))).ReadJson())["id"]!.GetValue<Guid>();
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/v1/credentials/{id}")).StatusCode);

        var replay = await client.SendAsync(Create("gone", body));

        Assert.Equal(HttpStatusCode.Conflict, replay.StatusCode);
        Assert.Equal("application/problem+json", replay.Content.Headers.ContentType?.MediaType);
        var problem = await replay.ReadJson();
        Assert.EndsWith("/idempotent-credential-deleted", problem["type"]!.GetValue<string>());
        Assert.Contains(id.ToString(), problem["detail"]!.GetValue<string>());
        Assert.Null(replay.Headers.Location);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/v1/credentials/{id}")).StatusCode);
    }

    [Fact]
    public async Task Expired_records_are_purged_in_the_background_by_either_of_two_instances()
    {
        var tenant = SharedService.NewTenant();
        var client = Host.ClientFor(tenant);
        for (var i = 0; i < 3; i++) await client.SendAsync(Create($"old-{i}", new { name = "n", appApiKey = SharedService.NewKey() }));
        await client.SendAsync(Create("fresh", new { name = "n", appApiKey = SharedService.NewKey() }));
        await Sql.Execute(ConnectionString,
            "UPDATE idempotency_records SET created_at = now() - interval '25 hours' WHERE tenant_id = @t AND key LIKE 'old-%'", ("t", tenant));

        _ = StartHost().Server;
        _ = StartHost().Server;

        Assert.True(await Sql.Eventually(async () =>
            await Sql.Scalar<long>(ConnectionString, "SELECT count(*) FROM idempotency_records WHERE tenant_id = @t", ("t", tenant)) == 1),
            "expired idempotency records were not purged");
        Assert.Equal("fresh", await Sql.Scalar<string>(ConnectionString, "SELECT key FROM idempotency_records WHERE tenant_id = @t", ("t", tenant)));
    }
}
