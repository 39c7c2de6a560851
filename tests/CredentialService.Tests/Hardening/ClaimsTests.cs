using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using CredentialService.Tests.Infrastructure;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CredentialService.Tests.Hardening;

/// <summary>Hostile claims and queries are 403/400 problems, never a 500.</summary>
[Collection(SharedServiceGroup.Name)]
public sealed class ClaimsTests(SharedService service)
{
    private const string Scopes = "credentials:read credentials:write credentials:test credentials:use";

    /// <summary>A token with exactly the given claims (besides issuer, audience and times), typed as JSON types them.</summary>
    private static string RawToken(JsonObject claims)
    {
        var now = DateTimeOffset.UtcNow;
        claims["iss"] = Tokens.Issuer;
        claims["aud"] = Tokens.Audience;
        claims["nbf"] = now.AddMinutes(-5).ToUnixTimeSeconds();
        claims["iat"] = now.AddMinutes(-5).ToUnixTimeSeconds();
        claims["exp"] = now.AddHours(1).ToUnixTimeSeconds();
        claims["scope"] = Scopes;
        return new JsonWebTokenHandler().CreateToken(claims.ToJsonString(),
            new SigningCredentials(new SymmetricSecurityKey(Tokens.SigningKey), SecurityAlgorithms.HmacSha256));
    }

    public static TheoryData<string, string> HostileClaims => new()
    {
        { "tenant over 200 characters", $$"""{"sub":"u","tenant_id":"{{new string('t', 201)}}"}""" },
        { "tenant with NUL", """{"sub":"u","tenant_id":"acme\u0000x"}""" },
        { "tenant with a line break", """{"sub":"u","tenant_id":"acme\nx"}""" },
        { "blank tenant", """{"sub":"u","tenant_id":"  "}""" },
        { "tenant as an array", """{"sub":"u","tenant_id":["acme","other"]}""" },
        { "tenant as a one-element array", """{"sub":"u","tenant_id":["acme"]}""" },
        { "tenant as a number", """{"sub":"u","tenant_id":123}""" },
        { "tenant as an object", """{"sub":"u","tenant_id":{"id":"acme"}}""" },
        { "no sub", """{"tenant_id":"acme"}""" },
        { "blank sub", """{"sub":" ","tenant_id":"acme"}""" },
        { "sub with NUL", """{"sub":"u\u0000v","tenant_id":"acme"}""" },
        { "sub over 200 characters", $$"""{"sub":"{{new string('s', 201)}}","tenant_id":"acme"}""" },
    };

    [Theory]
    [MemberData(nameof(HostileClaims))]
    public async Task A_token_with_a_hostile_tenant_or_subject_is_a_403_problem(string because, string claims)
    {
        var client = service.Host.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", RawToken(JsonNode.Parse(claims)!.AsObject()));

        foreach (var response in new[]
                 {
                     await client.GetAsync("/v1/credentials"),
                     await client.PostAsync("/v1/credentials", Api.Json(new { name = "n", appApiKey = SharedService.NewKey() })),
                 })
        {
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{because}: {(int)response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task A_tenant_of_200_characters_and_a_string_that_looks_like_a_number_are_accepted()
    {
        foreach (var tenant in new[] { new string('t', 199) + Guid.NewGuid().ToString("N")[..1], Random.Shared.NextInt64(1, long.MaxValue).ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            var client = service.Host.CreateClient();
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
                RawToken(new JsonObject { ["sub"] = "u", ["tenant_id"] = tenant }));
            await client.CreateCredential(SharedService.NewKey());
        }
    }

    [Theory]
    [InlineData("%00")]
    [InlineData("abc%0Adef")]
    [InlineData("%1B%5B31m")]
    public async Task Control_characters_in_q_are_a_400_naming_q(string q)
    {
        var response = await service.Host.ClientFor(SharedService.NewTenant()).GetAsync($"/v1/credentials?q={q}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["q"], await response.ErrorKeys());
    }
}
