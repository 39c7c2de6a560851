using System.Diagnostics;
using System.Net;
using CredentialService.FakeCustomerIo;
using CredentialService.Tests.Infrastructure;
using Npgsql;

namespace CredentialService.Tests;

/// <summary>While Postgres is away the API answers 503 quickly; when it is back the service recovers by itself.</summary>
public sealed class DatabaseOutageTests
{
    [Fact]
    public async Task Api_answers_503_with_retry_after_while_the_database_is_down_and_recovers_after()
    {
        var direct = new NpgsqlConnectionStringBuilder(await PostgresServer.CreateDatabaseAsync("outage"));
        await using var proxy = new TcpProxy(direct.Host!, direct.Port);
        proxy.Start();
        var viaProxy = new NpgsqlConnectionStringBuilder(direct.ConnectionString) { Host = "127.0.0.1", Port = proxy.Port }.ConnectionString;
        await using var us = await FakeCustomerIoServer.StartAsync("us");
        await using var eu = await FakeCustomerIoServer.StartAsync("eu");
        await using var host = new ServiceHost(viaProxy, us, eu);
        var client = host.ClientFor(SharedService.NewTenant());
        var id = (await client.CreateCredential(SharedService.NewKey()))["id"]!.GetValue<Guid>();

        proxy.Stop();
        var watch = Stopwatch.StartNew();
        var list = await client.GetAsync("/v1/credentials");
        var get = await client.GetAsync($"/v1/credentials/{id}");
        var create = await client.PostAsync("/v1/credentials", Api.Json(new { name = "n", appApiKey = SharedService.NewKey() }));
        var ready = await client.GetAsync("/health/ready");
        var live = await client.GetAsync("/health/live");
        watch.Stop();

        foreach (var response in new[] { list, get, create })
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.NotNull(response.Headers.RetryAfter);
        }

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("database", await ready.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"five requests during the outage took {watch.Elapsed}");

        proxy.Start(); // same port: the database is back
        var recovered = await RetryUntilOk(() => client.GetAsync($"/v1/credentials/{id}"));
        Assert.Equal(HttpStatusCode.OK, recovered.StatusCode);
        // Readiness is shared for a second, so it may still say what it saw during the outage for that long.
        Assert.Equal(HttpStatusCode.OK, (await RetryUntilOk(() => client.GetAsync("/health/ready"))).StatusCode);
    }

    private static async Task<HttpResponseMessage> RetryUntilOk(Func<Task<HttpResponseMessage>> send)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var response = await send();
            if (response.StatusCode == HttpStatusCode.OK || DateTime.UtcNow > deadline) return response;
            await Task.Delay(200);
        }
    }
}
