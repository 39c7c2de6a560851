using System.Net;
using CredentialService.Tests.Infrastructure;
using CredentialService.Tests.KeyCustody;
using Microsoft.AspNetCore.DataProtection.KeyManagement;

namespace CredentialService.Tests.Hardening;

/// <summary>
/// After a data-protection key is compromised, an operator asks which credentials it protected (all tenants), to
/// rotate those App API Keys at Customer.io: rewrapping alone does not help when the key ring itself leaked.
/// </summary>
public sealed class KeyCompromiseTests : KeyRingTest
{
    [Fact]
    public async Task The_admin_endpoint_lists_every_credential_under_a_key_across_tenants_in_pages()
    {
        var host = World.StartHost();
        var (tenantA, tenantB) = (NewTenant(), NewTenant());
        var underOld = new List<(Guid Id, string Tenant, string Last4)>();
        foreach (var tenant in new[] { tenantA, tenantB, tenantA })
        {
            var key = NewKey();
            underOld.Add((await host.ClientFor(tenant).CreateWorkingCredential(World.Us, key), tenant, key[^4..]));
        }

        var oldKeyId = await World.KeyIdOfCredential(underOld[0].Id);
        host.Service<IKeyManager>().RevokeAllKeys(DateTimeOffset.UtcNow, reason: "test: key ring leaked");
        var newKeyId = await KeyRingWorld.DefaultKeyAfterRefreshAsync(host, oldKeyId);
        var underNew = await host.ClientFor(tenantA).CreateWorkingCredential(World.Us, NewKey());
        Assert.Equal(newKeyId, await World.KeyIdOfCredential(underNew));

        var admin = AdminOf(host);
        var first = await admin.GetJson($"/v1/admin/data-protection-keys/{oldKeyId}/credentials?limit=2");
        Assert.Equal(2, first["limit"]!.GetValue<int>());
        var cursor = first["nextCursor"]!.GetValue<string>();
        var second = await admin.GetJson($"/v1/admin/data-protection-keys/{oldKeyId}/credentials?limit=2&cursor={cursor}");
        Assert.Null(second["nextCursor"]);
        var listed = first["items"]!.AsArray().Concat(second["items"]!.AsArray()).Select(i => i!).ToList();

        Assert.Equal(underOld.OrderBy(c => c.Id).Select(c => (c.Id, c.Tenant, c.Last4)),
            listed.Select(i => (i["id"]!.GetValue<Guid>(), i["tenantId"]!.GetValue<string>(), i["appApiKeyLast4"]!.GetValue<string>())));
        Assert.All(listed, i => Assert.Equal(["tenantId", "id", "name", "appApiKeyLast4"], i.AsObject().Select(p => p.Key).ToArray()));
        Assert.Equal([underNew], (await admin.GetJson($"/v1/admin/data-protection-keys/{newKeyId}/credentials"))["items"]!.AsArray()
            .Select(i => i!["id"]!.GetValue<Guid>()));
        Assert.Empty((await admin.GetJson($"/v1/admin/data-protection-keys/{Guid.NewGuid()}/credentials"))["items"]!.AsArray());

        var notAdmin = host.ClientFor(tenantA, "credentials:read", "credentials:write", "credentials:use");
        Assert.Equal(HttpStatusCode.Forbidden, (await notAdmin.GetAsync($"/v1/admin/data-protection-keys/{oldKeyId}/credentials")).StatusCode);
        var badLimit = await admin.GetAsync($"/v1/admin/data-protection-keys/{oldKeyId}/credentials?limit=0");
        Assert.Equal(HttpStatusCode.BadRequest, badLimit.StatusCode);
        Assert.Contains("limit", await badLimit.ErrorKeys());
    }
}
