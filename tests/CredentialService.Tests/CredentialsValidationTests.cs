using System.Net;
using System.Text;
using CredentialService.Tests.Infrastructure;

namespace CredentialService.Tests;

/// <summary>Every input rule of docs/api.md §Credential answers 400 with a problem naming the field; no input produces a 500.</summary>
[Collection(SharedServiceGroup.Name)]
public sealed class CredentialsValidationTests(SharedService service)
{
    private static readonly string ValidKey = new('a', 32);

    public static TheoryData<string, string> InvalidBodies => new()
    {
        { $$"""{"appApiKey":"{{ValidKey}}"}""", "name" },
        { $$"""{"name":"   ","appApiKey":"{{ValidKey}}"}""", "name" },
        { $$"""{"name":"{{new string('n', 201)}}","appApiKey":"{{ValidKey}}"}""", "name" },
        { $$"""{"name":"bad\u0007name","appApiKey":"{{ValidKey}}"}""", "name" },
        { $$"""{"name":"n","description":"{{new string('d', 2001)}}","appApiKey":"{{ValidKey}}"}""", "description" },
        { $$"""{"name":"n","description":"nul\u0000","appApiKey":"{{ValidKey}}"}""", "description" },
        { """{"name":"n"}""", "appApiKey" },
        { """{"name":"n","appApiKey":"  short  "}""", "appApiKey" },
        { $$"""{"name":"n","appApiKey":"{{new string('k', 513)}}"}""", "appApiKey" },
        { """{"name":"n","appApiKey":"abcd efgh ijkl"}""", "appApiKey" },
        { """{"name":"n","appApiKey":"abcdefgh\u0001ijkl"}""", "appApiKey" },
        { """{"name":"n","appApiKey":"sa_live_0123456789abcdef"}""", "appApiKey" },
        { """{"name":"n","appApiKey":"****************c3f9"}""", "appApiKey" },
        { $$"""{"name":"n","appApiKey":"{{ValidKey}}","region":"ap"}""", "region" },
        { $$"""{"name":"n","appApiKey":"{{ValidKey}}","region":"https://evil.example"}""", "region" },
        { $$"""{"name":"n","appApiKey":"{{ValidKey}}","baseUrl":"https://evil.example"}""", "baseUrl" },
        { $$"""{"name":42,"appApiKey":"{{ValidKey}}"}""", "name" },
        { $$"""{"name":"n","appApiKey":["{{ValidKey}}"]}""", "appApiKey" },
        { """{"name":"n",""", "body" },
        { "[1,2]", "body" },
    };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task Invalid_create_is_400_problem_naming_the_field(string json, string field)
    {
        var client = service.Host.ClientFor(SharedService.NewTenant());
        var response = await client.PostAsync("/v1/credentials", Api.RawJson(json));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(field, await response.ErrorKeys());
    }

    [Fact]
    public async Task Service_account_token_is_refused_with_an_explanation()
    {
        var client = service.Host.ClientFor(SharedService.NewTenant());
        var response = await client.PostAsync("/v1/credentials", Api.Json(new { name = "n", appApiKey = "sa_live_0123456789abcdef" }));
        var body = await response.ReadJson();
        Assert.Contains("service-account token", body["errors"]!["appApiKey"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task Region_error_names_the_allowed_values()
    {
        var client = service.Host.ClientFor(SharedService.NewTenant());
        var response = await client.PostAsync("/v1/credentials", Api.Json(new { name = "n", appApiKey = ValidKey, region = "apac" }));
        var message = (await response.ReadJson())["errors"]!["region"]![0]!.GetValue<string>();
        Assert.Contains("us, eu, api.customer.io, api-eu.customer.io", message);
    }

    [Fact]
    public async Task Body_over_64_KiB_is_413_problem()
    {
        var client = service.Host.ClientFor(SharedService.NewTenant());
        var json = $$"""{"name":"n","description":"{{new string('d', 70_000)}}","appApiKey":"{{ValidKey}}"}""";
        var response = await client.PostAsync("/v1/credentials", Api.RawJson(json));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Body_that_is_not_json_is_415_problem()
    {
        var client = service.Host.ClientFor(SharedService.NewTenant());
        var response = await client.PostAsync("/v1/credentials",
            new StringContent($"name=n&appApiKey={ValidKey}", Encoding.UTF8, "application/x-www-form-urlencoded"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Empty_body_is_400_problem()
    {
        var client = service.Host.ClientFor(SharedService.NewTenant());
        var response = await client.PostAsync("/v1/credentials", Api.RawJson(""));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=201", "limit")]
    [InlineData("limit=abc", "limit")]
    [InlineData("cursor=not-a-cursor", "cursor")]
    [InlineData("cursor=AZrCJZQn%2Bx2c9%2Fca2_v-HQ", "cursor")] // 22 characters, two of them not base64url
    [InlineData("cursor=%3D%3D%3D%3D%3D%3D%3D%3D%3D%3D%3D%3D%3D%3D%3D%3D%3D%3D%3D%3D%3D%3D", "cursor")]
    [InlineData("region=mars", "region")]
    public async Task Invalid_list_parameters_are_400_naming_the_parameter(string query, string field)
    {
        var client = service.Host.ClientFor(SharedService.NewTenant());
        var response = await client.GetAsync($"/v1/credentials?{query}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(field, await response.ErrorKeys());
    }

    [Fact]
    public async Task Nothing_is_stored_when_validation_fails()
    {
        var tenant = SharedService.NewTenant();
        var client = service.Host.ClientFor(tenant);
        await client.PostAsync("/v1/credentials", Api.Json(new { name = "n", appApiKey = "sa_live_0123456789abcdef" }));
        var list = await client.GetJson("/v1/credentials");
        Assert.Empty(list["items"]!.AsArray());
    }
}
