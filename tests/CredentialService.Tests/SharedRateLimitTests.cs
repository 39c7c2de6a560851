using System.Net;
using CredentialService.FakeCustomerIo;
using CredentialService.RateLimiting;
using CredentialService.Tests.Infrastructure;

namespace CredentialService.Tests;

/// <summary>The shared limiter: the connection-test limit holds across instances, and idle buckets do not pile up.</summary>
public sealed class SharedRateLimitTests : IsolatedServiceTest
{
    [Fact]
    public async Task The_per_tenant_test_limit_is_shared_by_two_instances_on_one_database()
    {
        var settings = new Dictionary<string, string?> { ["RateLimiting:TestsPerSecondPerTenant"] = "2" };
        var first = StartHost(settings);
        var second = StartHost(settings);
        var tenant = SharedService.NewTenant();
        var key = SharedService.NewKey();
        Us.Respond(key, FakeReply.Ok());
        var clients = new[] { first.ClientFor(tenant), second.ClientFor(tenant) };
        var otherTenant = second.ClientFor(SharedService.NewTenant());
        foreach (var warm in new[] { first.ClientFor(SharedService.NewTenant()), second.ClientFor(SharedService.NewTenant()) })
        {
            Assert.Equal(HttpStatusCode.OK, (await warm.PostAsync("/v1/credentials/test", Api.Json(new { appApiKey = key, region = "us" }))).StatusCode);
        }

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            clients[i % 2].PostAsync("/v1/credentials/test", Api.Json(new { appApiKey = key, region = "us" }))));
        var elapsed = watch.Elapsed;
        var other = await otherTenant.PostAsync("/v1/credentials/test", Api.Json(new { appApiKey = key, region = "us" }));

        // Shared: at most the burst (2) plus 2 per second of the batch's duration, over both instances together;
        // two per-instance limiters would have let 4 through at once.
        var ok = responses.Count(r => r.StatusCode == HttpStatusCode.OK);
        Assert.InRange(ok, 2, 2 + (int)(2 * elapsed.TotalSeconds));
        var refused = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.Equal(8 - ok, refused.Count);
        foreach (var response in refused)
        {
            Assert.Equal("1", response.Headers.GetValues("Retry-After").Single());
            var problem = await response.ReadJson();
            Assert.Equal(429, problem["status"]!.GetValue<int>());
            Assert.Contains("2 connection tests per second", problem["detail"]!.GetValue<string>());
        }

        Assert.Equal(HttpStatusCode.OK, other.StatusCode); // another tenant has a bucket of its own
        Assert.Equal(2 + ok + 1, Us.RequestsWithKey(key).Count);

        await Task.Delay(TimeSpan.FromSeconds(1.1));
        Assert.Equal(HttpStatusCode.OK, (await clients[1].PostAsync("/v1/credentials/test", Api.Json(new { appApiKey = key, region = "us" }))).StatusCode);
    }

    [Fact]
    public async Task A_stored_test_of_a_credential_the_caller_does_not_have_takes_no_test_slot()
    {
        var host = StartHost(new Dictionary<string, string?> { ["RateLimiting:TestsPerSecondPerTenant"] = "1" });
        var tenant = SharedService.NewTenant();
        var client = host.ClientFor(tenant);
        var stranger = host.ClientFor(SharedService.NewTenant());
        var key = SharedService.NewKey();
        Us.Respond(key, FakeReply.Ok());
        var id = (await client.CreateCredential(key))["id"]!.GetValue<Guid>();

        // The read and the slot are one statement: no row, no slot. Had these 404s taken the tenant's one slot per
        // second, the test of its own credential right after them would be a 429.
        foreach (var missing in new[] { Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid() })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync($"/v1/credentials/{missing}/test", null)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await stranger.PostAsync($"/v1/credentials/{id}/test", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/v1/credentials/{id}/test", null)).StatusCode);

        // The slot was taken: the next test within the second is refused like any connection test over the limit.
        var refused = await client.PostAsync($"/v1/credentials/{id}/test", null);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("1", refused.Headers.GetValues("Retry-After").Single());
        var problem = await refused.ReadJson();
        Assert.Equal("Too many connection tests", problem["title"]!.GetValue<string>());
        Assert.Equal("This tenant may run 1 connection tests per second (Customer.io allows 10 requests per second per " +
                     "workspace). Try again in 1 second(s).", problem["detail"]!.GetValue<string>());
        Assert.Single(Us.RequestsWithKey(key));
    }

    [Fact]
    public async Task Idle_buckets_are_deleted_and_buckets_in_use_are_kept()
    {
        var limiter = Host.Service<SharedRateLimiter>();
        var limit = new RateLimit(1, 1);
        Assert.True((await limiter.AcquireAsync("test:busy", limit, TimeSpan.Zero, default)).Granted);
        Assert.True((await limiter.AcquireAsync("test:idle", limit, TimeSpan.Zero, default)).Granted);
        await limiter.PauseAsync("test:paused", TimeSpan.FromHours(1), default);
        await Execute("UPDATE rate_limit_buckets SET tat = now() - interval '11 minutes' WHERE bucket_key IN ('test:idle', 'test:paused')");

        var deleted = await limiter.DeleteIdleBucketsAsync(default);

        Assert.Equal(1, deleted);
        Assert.Equal(["test:busy", "test:paused"], await Keys());
        // The busy bucket still holds its state: a second acquire within the second is refused.
        Assert.False((await limiter.AcquireAsync("test:busy", limit, TimeSpan.Zero, default)).Granted);
        Assert.False((await limiter.AcquireAsync("test:paused", limit, TimeSpan.FromSeconds(5), default)).Granted);
    }

    private async Task Execute(string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private async Task<List<string>> Keys()
    {
        await using var connection = new Npgsql.NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT bucket_key FROM rate_limit_buckets ORDER BY 1", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var keys = new List<string>();
        while (await reader.ReadAsync()) keys.Add(reader.GetString(0));
        return keys;
    }
}
