using System.Net;
using System.Text.Json.Nodes;
using CredentialService.Tests.Infrastructure;

namespace CredentialService.Tests;

[Collection(SharedServiceGroup.Name)]
public sealed class OpenApiAndHealthTests(SharedService service)
{
    [Theory]
    [InlineData("/v1/credentials", "post", "201 400 401 403 409 413 415 422 500 503")]
    [InlineData("/v1/credentials", "get", "200 400 401 403 500 503")]
    [InlineData("/v1/credentials/{id}", "get", "200 401 403 404 500 503")]
    [InlineData("/v1/credentials/{id}", "patch", "200 400 401 403 404 409 412 500 503")]
    [InlineData("/v1/credentials/{id}", "delete", "204 401 403 404 412 500 503")]
    [InlineData("/v1/credentials/{id}/test", "post", "200 401 403 404 409 429 500 503")]
    [InlineData("/v1/credentials/test", "post", "200 400 401 403 413 415 429 500 503")]
    [InlineData("/v1/credentials/{id}/secret", "get", "200 401 403 404 409 500 503")]
    [InlineData("/v1/credentials/{id}/events", "get", "200 400 401 403 404 500 503")]
    [InlineData("/v1/admin/data-protection-keys/{keyId}/credentials", "get", "200 400 401 403 500 503")]
    [InlineData("/v1/admin/rewrap", "post", "200 401 403 500 503")]
    public async Task The_openapi_document_declares_every_response(string path, string method, string statuses)
    {
        var document = await service.Host.CreateClient().GetJson("/swagger/v1/swagger.json");
        var operation = document["paths"]![path]?[method];
        Assert.NotNull(operation);
        var declared = operation!["responses"]!.AsObject().Select(r => r.Key).ToHashSet();
        Assert.Superset(statuses.Split(' ').ToHashSet(), declared);
    }

    [Fact]
    public async Task The_openapi_document_has_the_bearer_scheme_and_the_schemas_without_any_key_field_in_responses()
    {
        var document = await service.Host.CreateClient().GetJson("/swagger/v1/swagger.json");
        var scheme = document["components"]!["securitySchemes"]!["Bearer"]!;
        Assert.Equal("http", scheme["type"]!.GetValue<string>());
        Assert.Equal("bearer", scheme["scheme"]!.GetValue<string>());
        Assert.NotNull(document["security"]);
        var credential = document["components"]!["schemas"]!["CredentialResponse"]!["properties"]!.AsObject();
        Assert.Contains("appApiKeyLast4", credential.Select(p => p.Key));
        Assert.DoesNotContain("appApiKey", credential.Select(p => p.Key));
        Assert.NotNull(document["components"]!["schemas"]!["TestResult"]);
    }

    [Theory]
    [InlineData("/v1/credentials/test")]
    [InlineData("/v1/credentials/{id}/test")]
    public async Task Both_test_endpoints_show_an_example_of_every_verdict(string path)
    {
        var document = await service.Host.CreateClient().GetJson("/swagger/v1/swagger.json");
        var ok = document["paths"]![path]!["post"]!["responses"]!["200"]!["content"]!["application/json"]!;
        Assert.EndsWith("/TestResult", ok["schema"]!["$ref"]!.GetValue<string>());
        Assert.Equal(
            ["forbidden", "invalid_key", "ok", "rate_limited", "timeout", "unreachable", "upstream_error", "wrong_region"],
            ok["examples"]!.AsObject().Select(e => e.Key).Order());
        Assert.Equal("eu", ok["examples"]!["wrong_region"]!["value"]!["suggestedRegion"]!.GetValue<string>());
    }

    /// <summary>The examples are the service's own words: an example's message is what a real test of that kind answers.</summary>
    [Theory]
    [InlineData("invalid_key")]
    [InlineData("forbidden")]
    [InlineData("upstream_error")]
    public async Task A_verdict_example_says_what_the_service_says(string outcome)
    {
        var key = SharedService.NewKey();
        var reply = outcome switch
        {
            "invalid_key" => FakeCustomerIo.FakeReply.Unauthorized(),
            "forbidden" => new FakeCustomerIo.FakeReply(403, """{"errors":[{"detail":"forbidden"}]}"""),
            _ => new FakeCustomerIo.FakeReply(503),
        };
        service.Us.Respond(key, reply);
        service.Eu.Respond(key, reply);
        var client = service.Host.ClientFor(SharedService.NewTenant());
        var response = await client.PostAsync("/v1/credentials/test", Api.Json(new { appApiKey = key, region = "us" }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = await response.ReadJson();

        var document = await service.Host.CreateClient().GetJson("/swagger/v1/swagger.json");
        var example = document["paths"]!["/v1/credentials/test"]!["post"]!["responses"]!["200"]!["content"]!["application/json"]!
            ["examples"]![outcome]!["value"]!;
        Assert.Equal(outcome, answer["outcome"]!.GetValue<string>());
        Assert.Equal(answer["message"]!.GetValue<string>(), example["message"]!.GetValue<string>());
        Assert.Equal(answer["upstreamStatus"]!.GetValue<int>(), example["upstreamStatus"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("patch")]
    [InlineData("delete")]
    public async Task Writes_to_one_credential_document_if_match(string method)
    {
        var document = await service.Host.CreateClient().GetJson("/swagger/v1/swagger.json");
        var parameters = document["paths"]!["/v1/credentials/{id}"]![method]!["parameters"]!.AsArray();
        Assert.Contains(parameters, p => p!["name"]!.GetValue<string>() == "If-Match" && p["in"]!.GetValue<string>() == "header");
    }

    [Fact]
    public async Task Swagger_ui_is_served()
    {
        var response = await service.Host.CreateClient().GetAsync("/swagger/index.html");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("swagger-ui", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Readiness_reports_one_entry_per_check()
    {
        var response = await service.Host.CreateClient().GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var checks = (await response.ReadJson())["checks"]!.AsObject();
        Assert.Equal(["database", "key_ring"], checks.Select(c => c.Key).Order());
        Assert.All(checks, c => Assert.Equal("Healthy", c.Value!["status"]!.GetValue<string>()));
    }
}
