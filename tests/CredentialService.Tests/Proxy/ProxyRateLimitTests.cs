using System.Net;
using System.Net.Http.Headers;
using CredentialService.FakeCustomerIo;
using CredentialService.Tests.Infrastructure;

namespace CredentialService.Tests.Proxy;

/// <summary>The per-credential limit holds across instances: measured where it matters, at Customer.io's door.</summary>
public sealed class ProxyRateLimitTests : IsolatedServiceTest
{
    private const int PerSecond = 5;

    [Fact]
    public async Task A_burst_of_40_from_two_instances_reaches_customer_io_at_no_more_than_the_limit()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Proxy:RequestsPerSecondPerCredential"] = PerSecond.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Proxy:MaxQueueSeconds"] = "10",
        };
        var first = StartHost(settings);
        var second = StartHost(settings);
        var tenant = SharedService.NewTenant();
        var firstClient = first.KestrelClientFor(tenant, ProxyForwardingTests.ProxyScopes);
        var secondClient = second.KestrelClientFor(tenant, ProxyForwardingTests.ProxyScopes);
        var key = SharedService.NewKey();
        Us.Respond(key, FakeReply.Ok());
        var id = (await firstClient.CreateCredential(key))["id"]!.GetValue<Guid>();
        // Warm both instances up on another credential, so no first-request start-up cost skews the arrivals.
        var warmKey = SharedService.NewKey();
        Us.Respond(warmKey, FakeReply.Ok());
        var warmId = (await firstClient.CreateCredential(warmKey))["id"]!.GetValue<Guid>();
        foreach (var client in new[] { firstClient, secondClient, firstClient, secondClient })
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/v1/credentials/{warmId}/proxy/v1/workspaces")).StatusCode);
        }

        // Each instance decrypts the credential's key once (then caches it): do that before the burst, or the first
        // arrivals carry the decryption and the later ones don't. Then let the bucket fill again.
        foreach (var client in new[] { firstClient, secondClient })
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/v1/credentials/{id}/proxy/v1/workspaces")).StatusCode);
        }

        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var burstStart = DateTimeOffset.UtcNow;
        var responses = await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            (i % 2 == 0 ? firstClient : secondClient).GetAsync($"/v1/credentials/{id}/proxy/v1/customers/{i}")));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var arrivals = Us.RequestsWithKey(key).Select(r => r.At).Where(at => at >= burstStart).Order().ToList();
        Assert.Equal(40, arrivals.Count);
        // A bucket of 5 at 5/s, full when the burst starts: by any moment t, at most 5 + 5 × (t − burstStart) slots
        // have been granted, and a request reaches Customer.io only after its slot's time. So arrival k (0-based) comes
        // no sooner than (k − 4) × 200 ms after the burst started, however the machine stalls the forwarding (a stall
        // only delays arrivals). Two per-process limiters would grant 10/s: arrival 39 would come at about 3 s, not 7.
        var interval = TimeSpan.FromSeconds(1.0 / PerSecond);
        var slack = TimeSpan.FromMilliseconds(20); // timer granularity
        for (var k = PerSecond; k < arrivals.Count; k++)
        {
            var earliest = burstStart + (k - PerSecond + 1) * interval - slack;
            Assert.True(arrivals[k] >= earliest,
                $"request {k} arrived {(arrivals[k] - burstStart).TotalMilliseconds:0} ms after the burst started, before its slot at {(earliest + slack - burstStart).TotalMilliseconds:0} ms");
        }
    }

    [Fact]
    public async Task When_the_queue_would_be_too_long_the_caller_gets_429_with_retry_after_and_nothing_is_sent()
    {
        var host = StartHost(new Dictionary<string, string?>
        {
            ["Proxy:RequestsPerSecondPerCredential"] = "2",
            ["Proxy:MaxQueueSeconds"] = "1",
        });
        var client = host.KestrelClientFor(SharedService.NewTenant(), ProxyForwardingTests.ProxyScopes);
        var key = SharedService.NewKey();
        Us.Respond(key, FakeReply.Ok());
        var id = (await client.CreateCredential(key))["id"]!.GetValue<Guid>();

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => client.GetAsync($"/v1/credentials/{id}/proxy/v1/customers/{i}")));
        var elapsed = watch.Elapsed;

        var ok = responses.Count(r => r.StatusCode == HttpStatusCode.OK);
        var refused = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        // Burst 2, then one every 500 ms: arriving together, 4 fit within the 1 s queue and 6 are refused; spread out
        // (a loaded machine), at most 2 + 2 per second of the batch go.
        Assert.InRange(ok, 2, 2 + (int)(2 * elapsed.TotalSeconds));
        Assert.NotEmpty(refused);
        Assert.Equal(10 - ok, refused.Count);
        Assert.Equal(ok, Us.RequestsWithKey(key).Count);
        foreach (var response in refused)
        {
            Assert.Equal("service", response.Headers.GetValues("X-Credential-Proxy").Single());
            Assert.True(response.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
            Assert.EndsWith("proxy-rate-limited", (await response.ReadJson())["type"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task Campaign_triggers_have_a_bucket_of_their_own_of_one_per_ten_seconds()
    {
        var host = StartHost(new Dictionary<string, string?> { ["Proxy:MaxQueueSeconds"] = "0" });
        var client = host.KestrelClientFor(SharedService.NewTenant(), ProxyForwardingTests.ProxyScopes);
        var key = SharedService.NewKey();
        Us.Respond(key, FakeReply.Ok());
        var id = (await client.CreateCredential(key))["id"]!.GetValue<Guid>();

        var firstTrigger = await client.PostAsync($"/v1/credentials/{id}/proxy/v1/campaigns/7/triggers", Api.Json(new { }));
        var secondTrigger = await client.PostAsync($"/v1/credentials/{id}/proxy/v1/campaigns/7/triggers", Api.Json(new { }));
        var general = await client.GetAsync($"/v1/credentials/{id}/proxy/v1/campaigns/7");

        Assert.Equal(HttpStatusCode.OK, firstTrigger.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, secondTrigger.StatusCode);
        Assert.InRange(secondTrigger.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 9, 10);
        Assert.Contains("1 per 10 s", (await secondTrigger.ReadJson())["detail"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, general.StatusCode);
        Assert.Equal(2, Us.RequestsWithKey(key).Count);
    }

    [Fact]
    public async Task Another_tenants_calls_to_a_credential_take_none_of_its_slots()
    {
        var host = StartHost(new Dictionary<string, string?> { ["Proxy:MaxQueueSeconds"] = "0" });
        var owner = host.KestrelClientFor(SharedService.NewTenant(), ProxyForwardingTests.ProxyScopes);
        var stranger = host.KestrelClientFor(SharedService.NewTenant(), ProxyForwardingTests.ProxyScopes);
        var key = SharedService.NewKey();
        Us.Respond(key, FakeReply.Ok());
        var id = (await owner.CreateCredential(key))["id"]!.GetValue<Guid>();

        // The trigger bucket holds one slot per 10 s: had a stranger's 404 taken it, the owner's trigger would be a 429.
        for (var i = 0; i < 3; i++)
        {
            var refused = await stranger.PostAsync($"/v1/credentials/{id}/proxy/v1/campaigns/7/triggers", Api.Json(new { }));
            Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        }

        var mine = await owner.PostAsync($"/v1/credentials/{id}/proxy/v1/campaigns/7/triggers", Api.Json(new { }));
        Assert.Equal(HttpStatusCode.OK, mine.StatusCode);
        Assert.Single(Us.RequestsWithKey(key));
    }
}
