using CredentialService.Tests.Infrastructure;

namespace CredentialService.Tests.Proxy;

[Collection(SharedServiceGroup.Name)]
public sealed class ProxyDocumentationTests(SharedService service)
{
    [Fact]
    public async Task The_openapi_document_has_one_proxy_operation_per_method_with_path_as_a_catch_all_and_the_scope_in_the_authorize_dialog()
    {
        var document = await service.Host.CreateClient().GetJson("/swagger/v1/swagger.json");

        var item = document["paths"]!["/v1/credentials/{id}/proxy/{path}"]!.AsObject();
        Assert.Equal(["delete", "get", "patch", "post", "put"], item.Select(o => o.Key).Where(k => k != "parameters").Order());
        foreach (var (_, operation) in item.Where(o => o.Key != "parameters"))
        {
            var parameters = operation!["parameters"]!.AsArray().Select(p => p!["name"]!.GetValue<string>()).ToList();
            Assert.Contains("path", parameters);
            Assert.Contains("id", parameters);
            var responses = operation["responses"]!.AsObject().Select(r => r.Key).ToHashSet();
            Assert.Superset(new HashSet<string> { "200", "400", "401", "403", "404", "409", "413", "429", "502", "503", "504" }, responses);
            Assert.Contains("X-Credential-Proxy", operation["description"]!.GetValue<string>());
        }

        Assert.Contains("credentials:proxy", document["components"]!["securitySchemes"]!["Bearer"]!["description"]!.GetValue<string>());
    }
}
