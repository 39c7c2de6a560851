using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CredentialService.ConnectionTests;
using CredentialService.Credentials;
using CredentialService.Tests.Infrastructure;
using FluentValidation;
using FluentValidation.Validators;
using Microsoft.Extensions.DependencyInjection;

namespace CredentialService.Tests;

/// <summary>
/// The limits the OpenAPI document declares for request bodies are read from the FluentValidation validators the
/// endpoints run, and mean the same thing: a value at a declared bound is accepted, one past it is refused.
/// </summary>
[Collection(SharedServiceGroup.Name)]
public sealed class OpenApiConstraintsTests(SharedService service)
{
    private async Task<JsonObject> Schemas() =>
        (await service.Host.CreateClient().GetJson("/swagger/v1/swagger.json"))["components"]!["schemas"]!.AsObject();

    [Fact]
    public async Task The_documented_create_limits_are_those_of_the_validator()
    {
        var create = (await Schemas())["CreateCredentialRequest"]!;
        var properties = create["properties"]!;

        Assert.Equal(200, properties["name"]!["maxLength"]!.GetValue<int>());
        Assert.Equal(1, properties["name"]!["minLength"]!.GetValue<int>());
        Assert.Equal(2000, properties["description"]!["maxLength"]!.GetValue<int>());
        Assert.Equal(8, properties["appApiKey"]!["minLength"]!.GetValue<int>());
        Assert.Equal(512, properties["appApiKey"]!["maxLength"]!.GetValue<int>());
        Assert.Equal(["us", "eu", "api.customer.io", "api-eu.customer.io"],
            properties["region"]!["enum"]!.AsArray().Where(v => v is not null).Select(v => v!.GetValue<string>()));
        Assert.Equal(["appApiKey", "name"], create["required"]!.AsArray().Select(v => v!.GetValue<string>()).Order());
    }

    /// <summary>Every length and pattern rule of every request validator appears on its property, whatever the feature.</summary>
    [Theory]
    [InlineData(typeof(CreateCredentialRequest), "CreateCredentialRequest")]
    [InlineData(typeof(UpdateCredentialRequest), "UpdateCredentialRequest")]
    [InlineData(typeof(TestKeyRequest), "TestKeyRequest")]
    public async Task Every_length_and_pattern_rule_of_a_validator_is_in_the_document(Type request, string schemaName)
    {
        var validator = (IValidator)service.Host.Services.GetRequiredService(typeof(IValidator<>).MakeGenericType(request));
        var properties = (await Schemas())[schemaName]!["properties"]!.AsObject();
        var checkedRules = 0;
        foreach (var rule in validator.CreateDescriptor().Rules)
        {
            var property = properties[rule.PropertyName!]!;
            foreach (var component in rule.Components)
            {
                switch (component.Validator)
                {
                    case ILengthValidator { Max: > 0 } length:
                        Assert.Equal(length.Max, property["maxLength"]!.GetValue<int>());
                        checkedRules++;
                        break;
                    case IRegularExpressionValidator regex:
                        Assert.Equal(regex.Expression, property["pattern"]!.GetValue<string>());
                        checkedRules++;
                        break;
                }
            }
        }

        Assert.True(checkedRules >= 2, $"{request.Name}: expected length and pattern rules to compare, found {checkedRules}");
    }

    [Fact]
    public async Task A_name_at_the_documented_maximum_is_accepted_and_one_longer_is_refused()
    {
        var name = (await Schemas())["CreateCredentialRequest"]!["properties"]!["name"]!;
        var max = name["maxLength"]!.GetValue<int>();
        var client = service.Host.ClientFor(SharedService.NewTenant());

        var atMax = await client.PostAsync("/v1/credentials", Api.Json(new { name = new string('n', max), appApiKey = SharedService.NewKey() }));
        Assert.Equal(HttpStatusCode.Created, atMax.StatusCode);

        var over = await client.PostAsync("/v1/credentials", Api.Json(new { name = new string('n', max + 1), appApiKey = SharedService.NewKey() }));
        Assert.Equal(HttpStatusCode.BadRequest, over.StatusCode);
        Assert.Equal(["name"], await over.ErrorKeys());
    }

    [Theory]
    [InlineData("abcd\u0007efgh", false)]
    [InlineData("abcd efgh", false)]
    [InlineData("abcd\u00a0efgh", false)]
    [InlineData("0123456789abcdef", true)]
    public async Task The_documented_key_pattern_agrees_with_the_endpoint(string key, bool accepted)
    {
        var pattern = (await Schemas())["TestKeyRequest"]!["properties"]!["appApiKey"]!["pattern"]!.GetValue<string>();
        Assert.Equal(accepted, Regex.IsMatch(key, pattern));

        var response = await service.Host.ClientFor(SharedService.NewTenant())
            .PostAsync("/v1/credentials", Api.Json(new { name = "pattern check", appApiKey = key }));
        Assert.Equal(accepted ? HttpStatusCode.Created : HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Response_fields_carry_the_same_limits_and_the_outcome_codes()
    {
        var schemas = await Schemas();
        var credential = schemas["CredentialResponse"]!["properties"]!;
        Assert.Equal(200, credential["name"]!["maxLength"]!.GetValue<int>());
        Assert.Equal(36, credential["id"]!["maxLength"]!.GetValue<int>());
        Assert.Equal(200, schemas["CredentialPage"]!["properties"]!["items"]!["maxItems"]!.GetValue<int>());
        Assert.Equal(
            [TestOutcome.Forbidden, TestOutcome.InvalidKey, TestOutcome.Ok, TestOutcome.RateLimited, TestOutcome.Timeout,
             TestOutcome.Unreachable, TestOutcome.UpstreamError, TestOutcome.WrongRegion],
            schemas["TestResult"]!["properties"]!["outcome"]!["enum"]!.AsArray().Select(v => v!.GetValue<string>()).Order());
    }

    [Fact]
    public async Task List_parameters_are_bounded_and_rate_limited_answers_declare_retry_after()
    {
        var document = await service.Host.CreateClient().GetJson("/swagger/v1/swagger.json");
        var parameters = document["paths"]!["/v1/credentials"]!["get"]!["parameters"]!.AsArray()
            .ToDictionary(p => p!["name"]!.GetValue<string>(), p => p!["schema"]!);
        Assert.Equal(1, parameters["limit"]["minimum"]!.GetValue<int>());
        Assert.Equal(CredentialsApi.MaxLimit, parameters["limit"]["maximum"]!.GetValue<int>());
        Assert.Equal(CredentialsApi.MaxQueryLength, parameters["q"]["maxLength"]!.GetValue<int>());
        Assert.Equal(CredentialCursor.Length, parameters["cursor"]["maxLength"]!.GetValue<int>());
        Assert.Matches(parameters["cursor"]["pattern"]!.GetValue<string>(), CredentialCursor.Encode(Guid.CreateVersion7()));

        var tooMany = document["paths"]!["/v1/credentials/test"]!["post"]!["responses"]!["429"]!;
        Assert.NotNull(tooMany["headers"]!["Retry-After"]);
        Assert.Equal("An unexpected error occurred.",
            document["paths"]!["/v1/credentials"]!["get"]!["responses"]!["500"]!["content"]!["application/problem+json"]!["example"]!["title"]!.GetValue<string>());
    }
}
