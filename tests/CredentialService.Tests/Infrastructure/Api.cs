using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CredentialService.Tests.Infrastructure;

/// <summary>Small helpers for talking JSON to the service and reading what a user would read.</summary>
public static class Api
{
    public static StringContent Json(object body) =>
        new(JsonSerializer.Serialize(body, JsonSerializerOptions.Web), Encoding.UTF8, "application/json");

    public static StringContent RawJson(string json) => new(json, Encoding.UTF8, "application/json");

    public static async Task<JsonNode> ReadJson(this HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

    public static async Task<JsonNode> CreateCredential(this HttpClient client, string key, string region = "us",
        string name = "Customer.io – marketing", string? description = "Nightly segment export")
    {
        var response = await client.PostAsync("/v1/credentials", Json(new { name, description, appApiKey = key, region }));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.ReadJson();
    }

    public static async Task<JsonNode> GetJson(this HttpClient client, string path, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = await client.GetAsync(path);
        Assert.Equal(expected, response.StatusCode);
        return await response.ReadJson();
    }

    /// <summary>The field names of a ValidationProblemDetails' errors.</summary>
    public static async Task<string[]> ErrorKeys(this HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await response.ReadJson())["errors"]?.AsObject();
        return errors is null ? [] : errors.Select(e => e.Key).ToArray();
    }
}
