using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using CredentialService.Tests.Infrastructure;

namespace CredentialService.Tests;

[Collection(SharedServiceGroup.Name)]
public sealed class AuthTests(SharedService service)
{
    private HttpClient ClientWithToken(string token)
    {
        var client = service.Host.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    [Fact]
    public async Task No_token_is_401_problem_with_bearer_challenge()
    {
        var response = await service.Host.CreateClient().GetAsync("/v1/credentials");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Token_with_a_bad_signature_is_401()
    {
        var token = Tokens.For(SharedService.NewTenant(), Tokens.AllScopes, signingKey: RandomNumberGenerator.GetBytes(32));
        var response = await ClientWithToken(token).GetAsync("/v1/credentials");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Expired_token_is_401()
    {
        var token = Tokens.For(SharedService.NewTenant(), Tokens.AllScopes, expires: DateTime.UtcNow.AddMinutes(-10));
        var response = await ClientWithToken(token).GetAsync("/v1/credentials");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("GET", "/v1/credentials", "credentials:write")]
    [InlineData("POST", "/v1/credentials", "credentials:read")]
    [InlineData("POST", "/v1/credentials/test", "credentials:read")]
    [InlineData("GET", "/v1/credentials/{id}/secret", "credentials:read")]
    [InlineData("POST", "/v1/admin/rewrap", "credentials:write")]
    public async Task Token_without_the_scope_is_403_problem(string method, string path, string scope)
    {
        var client = service.Host.ClientFor(SharedService.NewTenant(), scope);
        var request = new HttpRequestMessage(new HttpMethod(method), path.Replace("{id}", Guid.CreateVersion7().ToString(), StringComparison.Ordinal));
        if (method == "POST") request.Content = Api.Json(new { name = "n", appApiKey = SharedService.NewKey() });
        var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Token_without_a_tenant_is_403()
    {
        var response = await ClientWithToken(Tokens.For(null, Tokens.AllScopes)).GetAsync("/v1/credentials");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Theory]
    [InlineData("scope", true)]
    [InlineData("scope", false)]
    [InlineData("scp", true)]
    [InlineData("scp", false)]
    public async Task Scopes_are_read_from_scope_or_scp_space_separated_or_repeated(string claim, bool oneClaim)
    {
        var token = Tokens.For(SharedService.NewTenant(), ["credentials:read", "credentials:write"], scopesAsOneClaim: oneClaim, scopeClaim: claim);
        var client = ClientWithToken(token);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/credentials")).StatusCode);
        var created = await client.PostAsync("/v1/credentials", Api.Json(new { name = "n", appApiKey = SharedService.NewKey() }));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }

    [Fact]
    public async Task Health_and_swagger_need_no_token()
    {
        var client = service.Host.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/swagger/v1/swagger.json")).StatusCode);
    }
}
