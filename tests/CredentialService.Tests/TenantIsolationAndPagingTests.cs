using System.Net;
using System.Text.RegularExpressions;
using CredentialService.Infrastructure.Auth;
using CredentialService.Tests.Infrastructure;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;

namespace CredentialService.Tests;

[Collection(SharedServiceGroup.Name)]
public sealed class TenantIsolationAndPagingTests(SharedService service)
{
    [Fact]
    public async Task Another_tenants_credential_is_404_and_absent_from_its_list()
    {
        var owner = service.Host.ClientFor(SharedService.NewTenant());
        var other = service.Host.ClientFor(SharedService.NewTenant());
        var created = await owner.CreateCredential(SharedService.NewKey());
        var id = created["id"]!.GetValue<Guid>();

        var asOther = await other.GetAsync($"/v1/credentials/{id}");
        var neverExisted = await other.GetAsync($"/v1/credentials/{Guid.CreateVersion7()}");
        Assert.Equal(HttpStatusCode.NotFound, asOther.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, neverExisted.StatusCode);
        Assert.Equal(
            StripTrace(await neverExisted.Content.ReadAsStringAsync()),
            StripTrace(await asOther.Content.ReadAsStringAsync()));

        Assert.Empty((await other.GetJson("/v1/credentials"))["items"]!.AsArray());
        Assert.Single((await owner.GetJson("/v1/credentials"))["items"]!.AsArray());
        Assert.Equal(HttpStatusCode.NotFound, (await other.PostAsync($"/v1/credentials/{id}/test", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/v1/credentials/{id}/secret")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/v1/credentials/{id}/events")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.PatchAsync($"/v1/credentials/{id}", Api.Json(new { name = "x" }))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.DeleteAsync($"/v1/credentials/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await owner.GetAsync($"/v1/credentials/{id}")).StatusCode);
    }

    /// <summary>
    /// Every route that names a credential, found in the service's own endpoint table (so a new one is covered the day
    /// it is mapped), answers 404 to another tenant holding every scope, and changes nothing of the owner's.
    /// </summary>
    [Fact]
    public async Task Every_endpoint_on_a_credential_is_404_for_another_tenant()
    {
        var owner = service.Host.ClientFor(SharedService.NewTenant());
        var other = service.Host.ClientFor(SharedService.NewTenant(), Scopes.All);
        var id = (await owner.CreateCredential(SharedService.NewKey()))["id"]!.GetValue<Guid>();
        Assert.Equal(HttpStatusCode.Created,
            (await owner.PutAsync($"/v1/credentials/{id}/usages/usage-1", Api.Json(new { kind = "source", name = "Nightly" }))).StatusCode);

        var routes = service.Host.Service<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.Parameters.Any(p => p.Name == "id"))
            .SelectMany(e => e.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods.Select(method => (method, e.RoutePattern.RawText!)))
            .ToList();
        Assert.True(routes.Count >= 14, $"only {routes.Count} credential routes found");

        foreach (var (method, pattern) in routes)
        {
            var path = Regex.Replace(pattern, @"\{id(:guid)?\}", id.ToString())
                .Replace("{usageId}", "usage-1", StringComparison.Ordinal)
                .Replace("{**path}", "v1/customers/42", StringComparison.Ordinal);
            Assert.DoesNotContain("{", path);
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (method is "PATCH" or "PUT") request.Content = Api.Json(new { kind = "source", name = "x" });
            if (method is "PATCH" && !path.Contains("/proxy/", StringComparison.Ordinal)) request.Content = Api.Json(new { name = "x" });
            var response = await other.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{method} {pattern}: {(int)response.StatusCode}");
        }

        var after = await owner.GetJson($"/v1/credentials/{id}");
        Assert.Equal("Customer.io – marketing", after["name"]!.GetValue<string>());
        Assert.Equal(1, after["usageCount"]!.GetValue<int>());
        Assert.Null(after["lastTest"]);
        var actions = (await owner.GetJson($"/v1/credentials/{id}/events"))["items"]!.AsArray()
            .Select(e => e!["action"]!.GetValue<string>());
        Assert.Equal(["usage_added", "created"], actions);
    }

    [Fact]
    public async Task Walking_120_credentials_with_the_cursor_returns_each_once_newest_first()
    {
        var client = service.Host.ClientFor(SharedService.NewTenant());
        var created = new List<Guid>();
        for (var i = 0; i < 120; i++)
        {
            var body = await client.CreateCredential(SharedService.NewKey(), name: $"cred {i}");
            created.Add(body["id"]!.GetValue<Guid>());
        }

        var seen = new List<Guid>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await client.GetJson($"/v1/credentials?limit=50{(cursor is null ? "" : $"&cursor={cursor}")}");
            seen.AddRange(page["items"]!.AsArray().Select(i => i!["id"]!.GetValue<Guid>()));
            cursor = page["nextCursor"]?.GetValue<string>();
            pages++;
        }
        while (cursor is not null);

        Assert.Equal(3, pages);
        Assert.Equal(120, seen.Count);
        Assert.Equal(120, seen.Distinct().Count());
        Assert.Equal(created.OrderByDescending(id => id.ToString()).ToList(), seen);
        Assert.Equal(created[^1], seen[0]); // the newest first
    }

    [Fact]
    public async Task Default_limit_is_50()
    {
        var client = service.Host.ClientFor(SharedService.NewTenant());
        for (var i = 0; i < 51; i++) await client.CreateCredential(SharedService.NewKey());
        var page = await client.GetJson("/v1/credentials");
        Assert.Equal(50, page["items"]!.AsArray().Count);
        Assert.NotNull(page["nextCursor"]);
    }

    [Fact]
    public async Task Filters_by_region_and_by_case_insensitive_substring_of_name_or_description()
    {
        var client = service.Host.ClientFor(SharedService.NewTenant());
        await client.CreateCredential(SharedService.NewKey(), region: "eu", name: "EU Marketing", description: null);
        await client.CreateCredential(SharedService.NewKey(), region: "us", name: "US billing", description: "nightly MARKETING export");
        await client.CreateCredential(SharedService.NewKey(), region: "us", name: "100%_literal", description: null);

        var eu = await client.GetJson("/v1/credentials?region=api-eu.customer.io");
        Assert.Equal(["EU Marketing"], eu["items"]!.AsArray().Select(i => i!["name"]!.GetValue<string>()));

        var marketing = await client.GetJson("/v1/credentials?q=marketing");
        Assert.Equal(2, marketing["items"]!.AsArray().Count);

        var usMarketing = await client.GetJson("/v1/credentials?q=Marketing&region=us");
        Assert.Equal(["US billing"], usMarketing["items"]!.AsArray().Select(i => i!["name"]!.GetValue<string>()));

        // LIKE wildcards in q are literal characters
        Assert.Single((await client.GetJson("/v1/credentials?q=0%25_"))["items"]!.AsArray());
        Assert.Empty((await client.GetJson("/v1/credentials?q=_%25"))["items"]!.AsArray());
    }

    private static string StripTrace(string json) =>
        System.Text.RegularExpressions.Regex.Replace(json, "\"traceId\":\"[^\"]*\"", "");
}
