using CredentialService.Tests.Infrastructure;

namespace CredentialService.Tests.Usages;

[Collection(SharedServiceGroup.Name)]
public sealed class UsagesOpenApiTests(SharedService service)
{
    [Fact]
    public async Task The_document_describes_usages_the_new_filters_and_fields_with_examples()
    {
        var doc = await service.Host.CreateClient().GetJson("/swagger/v1/swagger.json");
        var usage = doc["paths"]!["/v1/credentials/{id}/usages/{usageId}"]!;
        Assert.NotNull(usage["put"]!["responses"]!["201"]);
        Assert.NotNull(usage["put"]!["responses"]!["200"]);
        Assert.NotNull(usage["delete"]);
        Assert.Equal("source", usage["put"]!["requestBody"]!["content"]!["application/json"]!["example"]!["kind"]!.GetValue<string>());
        Assert.NotNull(doc["paths"]!["/v1/credentials/{id}/usages"]!["get"]);

        var list = doc["paths"]!["/v1/credentials"]!["get"]!["parameters"]!.AsArray().Select(p => p!["name"]!.GetValue<string>());
        Assert.Contains("inUse", list);
        Assert.Contains("lastOutcome", list);

        var delete = doc["paths"]!["/v1/credentials/{id}"]!["delete"]!;
        Assert.Contains(delete["parameters"]!.AsArray(), p => p!["name"]!.GetValue<string>() == "force");
        Assert.EndsWith("credential-in-use",
            delete["responses"]!["409"]!["content"]!["application/problem+json"]!["example"]!["type"]!.GetValue<string>());

        var schemas = doc["components"]!["schemas"]!;
        Assert.NotNull(schemas["CredentialResponse"]!["properties"]!["usageCount"]);
        Assert.NotNull(schemas["TestResult"]!["properties"]!["workspaces"]);
    }
}
