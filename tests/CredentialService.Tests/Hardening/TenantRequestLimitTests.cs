using System.Net;
using CredentialService.Tests.Infrastructure;

namespace CredentialService.Tests.Hardening;

/// <summary>
/// The per-tenant limits on the list and write endpoints hold across two instances on one database, refuse with a
/// 429 problem and Retry-After, and leave other tenants alone.
/// </summary>
public sealed class TenantRequestLimitTests : IsolatedServiceTest
{
    private static readonly Dictionary<string, string?> Low = new()
    {
        ["RateLimiting:ListRequestsPerSecondPerTenant"] = "1",
        ["RateLimiting:WriteRequestsPerSecondPerTenant"] = "1",
        ["RateLimiting:MaxQueueSeconds"] = "0",
    };

    [Fact]
    public async Task Writes_of_one_tenant_share_one_limit_over_two_instances()
    {
        var (first, second) = (StartHost(Low), StartHost(Low));
        var tenant = SharedService.NewTenant();
        await Warm(first, second);
        var clients = new[] { first.ClientFor(tenant), second.ClientFor(tenant) };

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => clients[i % 2].PostAsync("/v1/credentials",
            Api.Json(new { name = $"c{i}", appApiKey = SharedService.NewKey() }))));
        var elapsed = watch.Elapsed;

        // Burst 2, then 1 per second, over both instances together (two per-process limiters would admit 4 at once).
        var created = responses.Count(r => r.StatusCode == HttpStatusCode.Created);
        Assert.InRange(created, 2, 2 + (int)elapsed.TotalSeconds);
        await AssertRefused(responses.Where(r => r.StatusCode != HttpStatusCode.Created).ToList(), 8 - created, "1 write requests per second");

        var other = await second.ClientFor(SharedService.NewTenant()).PostAsync("/v1/credentials",
            Api.Json(new { name = "other", appApiKey = SharedService.NewKey() }));
        Assert.Equal(HttpStatusCode.Created, other.StatusCode);
    }

    [Fact]
    public async Task Lists_of_one_tenant_share_one_limit_over_two_instances()
    {
        var (first, second) = (StartHost(Low), StartHost(Low));
        var tenant = SharedService.NewTenant();
        await Warm(first, second);
        var clients = new[] { first.ClientFor(tenant), second.ClientFor(tenant) };

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => clients[i % 2].GetAsync("/v1/credentials?q=marketing")));
        var elapsed = watch.Elapsed;

        var ok = responses.Count(r => r.StatusCode == HttpStatusCode.OK);
        Assert.InRange(ok, 2, 2 + (int)elapsed.TotalSeconds);
        await AssertRefused(responses.Where(r => r.StatusCode != HttpStatusCode.OK).ToList(), 8 - ok, "1 list requests per second");
        Assert.Equal(HttpStatusCode.OK, (await second.ClientFor(SharedService.NewTenant()).GetAsync("/v1/credentials")).StatusCode);
    }

    [Fact]
    public async Task Slots_taken_a_batch_at_a_time_never_admit_more_than_the_shared_limit()
    {
        // 10 per second, burst 20: each instance takes 2 slots per bucket statement (LocalSlotBatches).
        var batched = new Dictionary<string, string?>(Low) { ["RateLimiting:ListRequestsPerSecondPerTenant"] = "10" };
        var (first, second) = (StartHost(batched), StartHost(batched));
        var tenant = SharedService.NewTenant();
        await Warm(first, second);
        var clients = new[] { first.ClientFor(tenant), second.ClientFor(tenant) };

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var responses = await Task.WhenAll(Enumerable.Range(0, 60).Select(i => clients[i % 2].GetAsync("/v1/credentials")));
        var elapsed = watch.Elapsed;

        // At most the burst plus what refilled meanwhile; at least the burst less the slot each instance may hold unused.
        var ok = responses.Count(r => r.StatusCode == HttpStatusCode.OK);
        Assert.InRange(ok, 20 - 2, 20 + (int)Math.Ceiling(elapsed.TotalSeconds * 10));
        await AssertRefused(responses.Where(r => r.StatusCode != HttpStatusCode.OK).ToList(), 60 - ok, "10 list requests per second");

        // A second later the bucket has refilled by about 10: batches resume.
        await Task.Delay(TimeSpan.FromSeconds(1.2));
        var later = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => clients[i % 2].GetAsync("/v1/credentials")));
        Assert.All(later, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
    }

    private static async Task Warm(params ServiceHost[] hosts)
    {
        foreach (var host in hosts)
        {
            Assert.Equal(HttpStatusCode.OK, (await host.ClientFor(SharedService.NewTenant()).GetAsync("/v1/credentials")).StatusCode);
        }
    }

    private static async Task AssertRefused(List<HttpResponseMessage> refused, int expected, string detail)
    {
        Assert.Equal(expected, refused.Count);
        foreach (var response in refused)
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
            Assert.True(int.Parse(response.Headers.GetValues("Retry-After").Single()) >= 1);
            var problem = await response.ReadJson();
            Assert.Equal(429, problem["status"]!.GetValue<int>());
            Assert.Contains(detail, problem["detail"]!.GetValue<string>());
        }
    }
}
