using System.Net;
using CredentialService.FakeCustomerIo;
using CredentialService.Tests.Infrastructure;
using Npgsql;

namespace CredentialService.Tests;

/// <summary>Idempotent create: retries replay the first response, racing duplicates create one credential.</summary>
public sealed class IdempotencyTests : IsolatedServiceTest
{
    private static HttpRequestMessage Create(string idempotencyKey, object body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/credentials") { Content = Api.Json(body) };
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        return request;
    }

    private async Task<long> CountCredentials(string tenant)
    {
        await using var db = new NpgsqlConnection(Host.ConnectionString);
        await db.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM credentials WHERE tenant_id = @t", db);
        count.Parameters.AddWithValue("t", tenant);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task A_retry_with_the_same_key_and_body_replays_the_first_201()
    {
        var tenant = SharedService.NewTenant();
        var client = Host.ClientFor(tenant);
        var body = new { name = "n", appApiKey = SharedService.NewKey(), region = "eu" };

        var first = await client.SendAsync(Create("retry-1", body));
        var retry = await client.SendAsync(Create("retry-1", body));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.False(first.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.Equal("true", retry.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(await first.Content.ReadAsStringAsync(), await retry.Content.ReadAsStringAsync());
        Assert.Equal(first.Headers.Location, retry.Headers.Location);
        Assert.Equal(first.Headers.ETag, retry.Headers.ETag);
        Assert.Equal(1, await CountCredentials(tenant));
    }

    [Fact]
    public async Task The_same_key_with_a_different_body_is_422_and_creates_nothing()
    {
        var tenant = SharedService.NewTenant();
        var client = Host.ClientFor(tenant);
        var key = SharedService.NewKey();
        await client.SendAsync(Create("reused", new { name = "n", appApiKey = key }));

        var otherName = await client.SendAsync(Create("reused", new { name = "other", appApiKey = key }));
        var otherKey = await client.SendAsync(Create("reused", new { name = "n", appApiKey = SharedService.NewKey() }));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, otherName.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, otherKey.StatusCode);
        Assert.Equal("application/problem+json", otherName.Content.Headers.ContentType?.MediaType);
        Assert.Equal(1, await CountCredentials(tenant));
    }

    [Fact]
    public async Task Keys_are_scoped_to_the_tenant()
    {
        var body = new { name = "n", appApiKey = SharedService.NewKey() };
        var a = await (await Host.ClientFor(SharedService.NewTenant()).SendAsync(Create("shared-key", body))).ReadJson();
        var b = await Host.ClientFor(SharedService.NewTenant()).SendAsync(Create("shared-key", body));
        Assert.Equal(HttpStatusCode.Created, b.StatusCode);
        Assert.False(b.Headers.Contains("Idempotent-Replayed"));
        Assert.NotEqual(a["id"]!.GetValue<Guid>(), (await b.ReadJson())["id"]!.GetValue<Guid>());
    }

    [Fact]
    public async Task Ten_concurrent_posts_with_one_key_create_one_row_and_all_answer_the_same_id()
    {
        var tenant = SharedService.NewTenant();
        var client = Host.ClientFor(tenant);
        var body = new { name = "racing", appApiKey = SharedService.NewKey() };

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => client.SendAsync(Create("race", body))));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var ids = await Task.WhenAll(responses.Select(async r => (await r.ReadJson())["id"]!.GetValue<Guid>()));
        Assert.Single(ids.Distinct());
        Assert.Equal(9, responses.Count(r => r.Headers.Contains("Idempotent-Replayed")));
        Assert.Equal(1, await CountCredentials(tenant));
    }

    [Fact]
    public async Task A_replay_works_after_the_host_restarts()
    {
        var tenant = SharedService.NewTenant();
        var body = new { name = "n", appApiKey = SharedService.NewKey() };
        var first = await (await Host.ClientFor(tenant).SendAsync(Create("restart", body))).ReadJson();

        var restarted = StartHost();
        var replay = await restarted.ClientFor(tenant).SendAsync(Create("restart", body));

        Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(first["id"]!.GetValue<Guid>(), (await replay.ReadJson())["id"]!.GetValue<Guid>());
    }

    [Fact]
    public async Task Records_expire_after_24_hours()
    {
        var tenant = SharedService.NewTenant();
        var client = Host.ClientFor(tenant);
        var body = new { name = "n", appApiKey = SharedService.NewKey() };
        await client.SendAsync(Create("old", body));
        await using (var db = new NpgsqlConnection(Host.ConnectionString))
        {
            await db.OpenAsync();
            await using var age = new NpgsqlCommand("UPDATE idempotency_records SET created_at = now() - interval '25 hours' WHERE tenant_id = @t", db);
            age.Parameters.AddWithValue("t", tenant);
            await age.ExecuteNonQueryAsync();
        }

        var after = await client.SendAsync(Create("old", body));

        Assert.Equal(HttpStatusCode.Created, after.StatusCode);
        Assert.False(after.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(2, await CountCredentials(tenant));
    }

    [Fact]
    public async Task An_invalid_idempotency_key_is_400_naming_the_header()
    {
        var response = await Host.ClientFor(SharedService.NewTenant()).SendAsync(Create(new string('k', 256), new { name = "n", appApiKey = SharedService.NewKey() }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Idempotency-Key", await response.ErrorKeys());
    }
}
