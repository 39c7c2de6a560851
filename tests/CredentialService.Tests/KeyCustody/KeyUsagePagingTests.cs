using System.Net;
using System.Text.Json.Nodes;
using CredentialService.Tests.Infrastructure;

namespace CredentialService.Tests.KeyCustody;

/// <summary>
/// The page boundaries of <c>GET /v1/admin/data-protection-keys/{keyId}/credentials</c>: a page holds at most
/// <c>limit</c> items, and exactly <c>limit</c> credentials under a key are one page without a next cursor.
/// </summary>
public sealed class KeyUsagePagingTests : KeyRingTest
{
    [Fact]
    public async Task Exactly_limit_credentials_are_one_page_and_a_smaller_limit_pages_them_one_at_a_time()
    {
        var host = World.StartHost();
        var (tenantA, tenantB) = (NewTenant(), NewTenant());
        var first = await host.ClientFor(tenantA).CreateWorkingCredential(World.Us, NewKey());
        var second = await host.ClientFor(tenantB).CreateWorkingCredential(World.Us, NewKey());
        var keyId = await World.KeyIdOfCredential(first);
        Assert.Equal(keyId, await World.KeyIdOfCredential(second));
        var ordered = new[] { first, second }.Order().ToArray();
        var admin = AdminOf(host);

        var whole = await Page(admin, $"/v1/admin/data-protection-keys/{keyId}/credentials?limit=2");
        Assert.Equal(ordered, Ids(whole));
        Assert.Null(whole["nextCursor"]);

        var page1 = await Page(admin, $"/v1/admin/data-protection-keys/{keyId}/credentials?limit=1");
        Assert.Equal([ordered[0]], Ids(page1));
        var cursor = page1["nextCursor"]!.GetValue<string>();
        var page2 = await Page(admin, $"/v1/admin/data-protection-keys/{keyId}/credentials?limit=1&cursor={Uri.EscapeDataString(cursor)}");
        Assert.Equal([ordered[1]], Ids(page2));
        Assert.Null(page2["nextCursor"]);
    }

    private static async Task<JsonNode> Page(HttpClient admin, string url)
    {
        var response = await admin.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.ReadJson();
    }

    private static Guid[] Ids(JsonNode page) => page["items"]!.AsArray().Select(i => i!["id"]!.GetValue<Guid>()).ToArray();
}
