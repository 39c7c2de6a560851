using System.Net;
using System.Net.Http.Headers;
using CredentialService.Tests.Infrastructure;

namespace CredentialService.Tests.Hardening;

/// <summary>
/// Validated tokens are remembered (Authentication:ValidatedTokenCacheSeconds), but never beyond what a full
/// validation would accept: a remembered token still expires at its exp, and every rule applied after validation
/// (scopes, the tenant claim) still applies to the remembered one.
/// </summary>
public sealed class ValidatedTokenCacheTests : IsolatedServiceTest
{
    [Fact]
    public async Task A_remembered_token_stops_working_at_its_expiry()
    {
        var host = StartHost(new Dictionary<string, string?> { ["Authentication:ClockSkewSeconds"] = "0" });
        var client = host.CreateClient();
        // Started first: on a loaded machine the start alone can take the token's three seconds.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        var expires = DateTime.UtcNow.AddSeconds(3);
        client.DefaultRequestHeaders.Authorization =
            new AuthenticationHeaderValue("Bearer", Tokens.For(SharedService.NewTenant(), Tokens.AllScopes, expires: expires));

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/credentials")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/credentials")).StatusCode); // remembered
        var wait = expires - DateTime.UtcNow + TimeSpan.FromSeconds(1.5); // JWT times are whole seconds
        if (wait > TimeSpan.Zero) await Task.Delay(wait);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/v1/credentials")).StatusCode);
    }

    [Fact]
    public async Task A_remembered_token_is_authorised_per_request_and_keeps_its_own_tenant()
    {
        var tenant = SharedService.NewTenant();
        var readOnly = Host.CreateClient();
        readOnly.DefaultRequestHeaders.Authorization =
            new AuthenticationHeaderValue("Bearer", Tokens.For(tenant, ["credentials:read"]));
        var writer = Host.ClientFor(tenant);
        var created = await writer.CreateCredential(SharedService.NewKey());

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await readOnly.GetAsync($"/v1/credentials/{created["id"]}")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden,
                (await readOnly.PostAsync("/v1/credentials", Api.Json(new { name = "n", appApiKey = SharedService.NewKey() }))).StatusCode);
        }

        // Another tenant's token, remembered too, never sees the first tenant's credential.
        var other = Host.ClientFor(SharedService.NewTenant());
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/v1/credentials/{created["id"]}")).StatusCode);
        }
    }

    [Fact]
    public async Task With_the_cache_off_tokens_still_work()
    {
        var client = StartHost(new Dictionary<string, string?> { ["Authentication:ValidatedTokenCacheSeconds"] = "0" })
            .ClientFor(SharedService.NewTenant());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/credentials")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/credentials")).StatusCode);
    }
}
