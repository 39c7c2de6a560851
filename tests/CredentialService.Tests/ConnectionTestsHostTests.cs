using System.Diagnostics;
using System.Net;
using CredentialService.FakeCustomerIo;
using CredentialService.Tests.Infrastructure;

namespace CredentialService.Tests;

/// <summary>Connection-test behaviour that needs a host of its own: other settings, a second instance, load.</summary>
public sealed class ConnectionTestsHostTests : IsolatedServiceTest
{
    [Fact]
    public async Task With_probing_switched_off_a_401_is_invalid_key_and_the_other_region_is_never_asked()
    {
        var host = StartHost(new Dictionary<string, string?> { ["CustomerIo:ProbeOtherRegion"] = "false" });
        var key = SharedService.NewKey();
        Eu.Respond(key, FakeReply.Ok());

        var response = await host.ClientFor(SharedService.NewTenant()).PostAsync("/v1/credentials/test", Api.Json(new { appApiKey = key, region = "us" }));
        var result = await response.ReadJson();

        Assert.Equal("invalid_key", result["outcome"]!.GetValue<string>());
        Assert.Equal(
            "Customer.io rejected the key in the US region (api.customer.io) (HTTP 401). Either the key is wrong (check it " +
            "is an App API Key, not a Tracking API key, copied completely and not deleted), or the workspace is in the EU " +
            "region (api-eu.customer.io): try region eu.",
            result["message"]!.GetValue<string>());
        Assert.Single(Us.RequestsWithKey(key));
        Assert.Empty(Eu.RequestsWithKey(key));
    }

    [Fact]
    public async Task A_region_that_cannot_be_connected_to_is_unreachable()
    {
        var host = StartHost(new Dictionary<string, string?>
        {
            ["CustomerIo:Regions:eu:BaseUrl"] = "http://127.0.0.1:1",
        });
        var key = SharedService.NewKey();

        var response = await host.ClientFor(SharedService.NewTenant()).PostAsync("/v1/credentials/test", Api.Json(new { appApiKey = key, region = "eu" }));
        var result = await response.ReadJson();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("unreachable", result["outcome"]!.GetValue<string>());
        Assert.Null(result["upstreamStatus"]);
        Assert.Equal(
            "Could not connect to Customer.io (EU region (api-eu.customer.io)): the connection was refused or could not be " +
            "established. Check DNS, firewall and proxy settings between this service and Customer.io.",
            result["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_host_name_that_does_not_resolve_and_a_failed_TLS_handshake_are_unreachable_and_say_which()
    {
        // https base URLs are accepted at start in every environment; .invalid never resolves (RFC 2606); the fake
        // speaks plain http, so a TLS client hello to it fails.
        var host = StartHost(new Dictionary<string, string?>
        {
            ["CustomerIo:Regions:us:BaseUrl"] = "https://customer-io.invalid",
            ["CustomerIo:Regions:eu:BaseUrl"] = $"https://127.0.0.1:{Eu.BaseUrl.Port}",
        });
        var client = host.ClientFor(SharedService.NewTenant());

        var unresolved = await (await client.PostAsync("/v1/credentials/test", Api.Json(new { appApiKey = SharedService.NewKey(), region = "us" }))).ReadJson();
        var noTls = await (await client.PostAsync("/v1/credentials/test", Api.Json(new { appApiKey = SharedService.NewKey(), region = "eu" }))).ReadJson();

        Assert.Equal("unreachable", unresolved["outcome"]!.GetValue<string>());
        Assert.StartsWith("Could not connect to Customer.io (US region (api.customer.io)): the host name could not be resolved.",
            unresolved["message"]!.GetValue<string>());
        Assert.Equal("unreachable", noTls["outcome"]!.GetValue<string>());
        Assert.StartsWith("Could not connect to Customer.io (EU region (api-eu.customer.io)): the TLS handshake failed.",
            noTls["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_credential_stored_by_one_instance_is_tested_by_a_second_instance_on_the_same_database()
    {
        var tenant = SharedService.NewTenant();
        var key = SharedService.NewKey();
        Us.Respond(key, FakeReply.Ok());
        var first = StartHost();
        var second = StartHost();

        var created = await first.ClientFor(tenant).CreateCredential(key);
        var response = await second.ClientFor(tenant).PostAsync($"/v1/credentials/{created["id"]}/test", null);

        Assert.Equal("ok", (await response.ReadJson())["outcome"]!.GetValue<string>());
        Assert.Equal($"Bearer {key}", Assert.Single(Us.RequestsWithKey(key)).Authorization);
    }

    [Fact]
    public async Task No_key_appears_in_any_log_line_across_every_verdict()
    {
        var host = StartHost();
        var client = host.ClientFor(SharedService.NewTenant());
        var keys = new List<string>();
        FakeReply?[] replies =
        [
            FakeReply.Ok(), null, new FakeReply(403), new FakeReply(429), new FakeReply(500),
            new FakeReply(301, """{"errors":[{"detail":"wrong datacenter"}]}"""), FakeReply.Ok() with { Delay = TimeSpan.FromSeconds(10) },
        ];
        foreach (var reply in replies)
        {
            var key = SharedService.NewKey();
            keys.Add(key);
            if (reply is not null) Us.Respond(key, reply);
            var created = await client.CreateCredential(key);
            await client.PostAsync($"/v1/credentials/{created["id"]}/test", null);
            await client.PostAsync("/v1/credentials/test", Api.Json(new { appApiKey = key, region = "us" }));
            await Task.Delay(250); // stay under the per-tenant test rate
        }

        Assert.NotEmpty(host.Logs.Lines);
        foreach (var key in keys)
        {
            Assert.DoesNotContain(host.Logs.Lines, line => line.Contains(key, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Two_hundred_tests_against_a_slow_customer_io_do_not_hold_up_other_requests()
    {
        var host = StartHost();
        var key = SharedService.NewKey();
        Us.Respond(key, FakeReply.Ok() with { Delay = TimeSpan.FromSeconds(2) });
        var bystander = host.ClientFor(SharedService.NewTenant());
        await bystander.CreateCredential(SharedService.NewKey());
        await bystander.GetAsync("/v1/credentials"); // warm

        // 200 tenants, one test each: the per-tenant rate limit is not what this measures.
        var watch = Stopwatch.StartNew();
        var inFlight = Enumerable.Range(0, 200)
            .Select(_ => host.ClientFor(SharedService.NewTenant()).PostAsync("/v1/credentials/test", Api.Json(new { appApiKey = key, region = "us" })))
            .ToList();
        await Task.Delay(500);
        var latencies = new List<TimeSpan>();
        for (var i = 0; i < 10; i++)
        {
            var one = Stopwatch.StartNew();
            Assert.Equal(HttpStatusCode.OK, (await bystander.GetAsync("/v1/credentials")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await bystander.GetAsync("/health/live")).StatusCode);
            latencies.Add(one.Elapsed);
        }

        var results = await Task.WhenAll(inFlight);
        watch.Stop();

        Assert.All(results, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var outcomes = await Task.WhenAll(results.Select(async r => (await r.ReadJson())["outcome"]!.GetValue<string>()));
        Assert.All(outcomes, o => Assert.Equal("ok", o));
        // Bounds that tell "concurrent" from "queued" even on a loaded shared machine (the benchmark measures the real
        // numbers): one after another the tests would take 400 s, and a blocked thread pool would hold the bystander
        // behind Customer.io's 2 s.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2 + 10), $"200 concurrent 2-second tests took {watch.Elapsed}");
        latencies.Sort();
        Assert.True(latencies[latencies.Count / 2] < TimeSpan.FromSeconds(1), $"median list+health while 200 tests wait: {latencies[latencies.Count / 2]}");
    }
}
