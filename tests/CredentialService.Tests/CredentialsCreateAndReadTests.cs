using System.Net;
using CredentialService.Tests.Infrastructure;

namespace CredentialService.Tests;

[Collection(SharedServiceGroup.Name)]
public sealed class CredentialsCreateAndReadTests(SharedService service)
{
    [Fact]
    public async Task Create_returns_201_with_location_etag_and_only_the_last_four_of_the_key()
    {
        var client = service.Host.ClientFor(SharedService.NewTenant());
        var key = "  " + SharedService.NewKey() + "\t"; // pasted with stray whitespace
        var response = await client.PostAsync("/v1/credentials",
            Api.Json(new { name = "  Marketing  ", description = "Nightly export", appApiKey = key, region = "EU" }));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.ReadJson();
        var id = body["id"]!.GetValue<Guid>();
        Assert.Equal(7, id.Version);
        Assert.Equal($"/v1/credentials/{id}", response.Headers.Location!.OriginalString);
        Assert.Equal($"\"{body["version"]}\"", response.Headers.ETag!.Tag);
        Assert.Equal("customer_io", body["type"]!.GetValue<string>());
        Assert.Equal("Marketing", body["name"]!.GetValue<string>());
        Assert.Equal("eu", body["region"]!.GetValue<string>());
        Assert.Equal("api-eu.customer.io", body["apiDomain"]!.GetValue<string>());
        Assert.Equal(key.Trim()[^4..], body["appApiKeyLast4"]!.GetValue<string>());
        Assert.Null(body["lastTest"]);
        Assert.Null(body["appApiKey"]);
        Assert.DoesNotContain(key.Trim(), body.ToJsonString());
    }

    [Fact]
    public async Task Get_returns_the_credential_with_its_etag()
    {
        var client = service.Host.ClientFor(SharedService.NewTenant());
        var created = await client.CreateCredential(SharedService.NewKey(), description: null);

        var response = await client.GetAsync($"/v1/credentials/{created["id"]}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"\"{created["version"]}\"", response.Headers.ETag!.Tag);
        var body = await response.ReadJson();
        Assert.Equal(created.ToJsonString(), body.ToJsonString());
        Assert.Null(body["description"]);
        Assert.Equal("us", body["region"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(null, "us", "api.customer.io")]
    [InlineData("us", "us", "api.customer.io")]
    [InlineData("api.customer.io", "us", "api.customer.io")]
    [InlineData("eu", "eu", "api-eu.customer.io")]
    [InlineData("API-EU.customer.io", "eu", "api-eu.customer.io")]
    public async Task Region_accepts_codes_and_domains_and_defaults_to_us(string? given, string region, string domain)
    {
        var client = service.Host.ClientFor(SharedService.NewTenant());
        var response = await client.PostAsync("/v1/credentials", Api.Json(new { name = "n", appApiKey = SharedService.NewKey(), region = given }));
        var body = await response.ReadJson();
        Assert.Equal(region, body["region"]!.GetValue<string>());
        Assert.Equal(domain, body["apiDomain"]!.GetValue<string>());
    }

    [Fact]
    public async Task Unknown_id_is_404_problem()
    {
        var client = service.Host.ClientFor(SharedService.NewTenant());
        var response = await client.GetAsync($"/v1/credentials/{Guid.CreateVersion7()}");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
