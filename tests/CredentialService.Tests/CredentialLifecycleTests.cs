using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using CredentialService.FakeCustomerIo;
using CredentialService.Tests.Infrastructure;
using Npgsql;

namespace CredentialService.Tests;

/// <summary>Update, rotate, delete, optimistic concurrency and runtime access, through HTTP on real Postgres.</summary>
[Collection(SharedServiceGroup.Name)]
public sealed class CredentialLifecycleTests(SharedService service)
{
    private static HttpRequestMessage Patch(Guid id, object body, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Patch, $"/v1/credentials/{id}") { Content = Api.Json(body) };
        if (ifMatch is not null) request.Headers.IfMatch.Add(EntityTagHeaderValue.Parse(ifMatch));
        return request;
    }

    private static string ETagOf(JsonNode credential) => $"\"{credential["version"]!.GetValue<string>()}\"";

    [Fact]
    public async Task Patch_changes_only_the_fields_sent_and_null_clears_the_description()
    {
        var client = service.Host.ClientFor(SharedService.NewTenant());
        var created = await client.CreateCredential(SharedService.NewKey());
        var id = created["id"]!.GetValue<Guid>();

        var renamed = await client.SendAsync(Patch(id, new { name = "  Renamed " }));
        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        var body = await renamed.ReadJson();
        Assert.Equal("Renamed", body["name"]!.GetValue<string>());
        Assert.Equal(created["description"]!.GetValue<string>(), body["description"]!.GetValue<string>());
        Assert.Equal(created["appApiKeyLast4"]!.GetValue<string>(), body["appApiKeyLast4"]!.GetValue<string>());
        Assert.Equal(ETagOf(body), renamed.Headers.ETag!.Tag);
        Assert.NotEqual(created["version"]!.GetValue<string>(), body["version"]!.GetValue<string>());

        var cleared = await (await client.SendAsync(Patch(id, JsonNode.Parse("""{"description":null}""")!))).ReadJson();
        Assert.Null(cleared["description"]);
        Assert.Equal("Renamed", cleared["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Patch_applies_the_create_rules_and_refuses_a_masked_key()
    {
        var client = service.Host.ClientFor(SharedService.NewTenant());
        var created = await client.CreateCredential(SharedService.NewKey());
        var id = created["id"]!.GetValue<Guid>();

        foreach (var (json, field) in new[]
                 {
                     ("""{"name":""}""", "name"), ("""{"name":null}""", "name"), ("""{"region":"mars"}""", "region"),
                     ("""{"region":null}""", "region"), ("""{"appApiKey":null}""", "appApiKey"),
                     ($$"""{"appApiKey":"••••••••{{created["appApiKeyLast4"]}}"}""", "appApiKey"),
                     ("""{"appApiKey":"sa_live_abcdefghijkl"}""", "appApiKey"), ("""{"id":"x"}""", "id"),
                 })
        {
            var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Patch, $"/v1/credentials/{id}") { Content = Api.RawJson(json) });
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains(field, await response.ErrorKeys());
        }

        var unchanged = await client.GetJson($"/v1/credentials/{id}");
        Assert.Equal(created["version"]!.GetValue<string>(), unchanged["version"]!.GetValue<string>());
    }

    [Fact]
    public async Task Rotating_the_key_changes_last4_clears_last_test_and_the_next_test_sends_the_new_key()
    {
        var client = service.Host.ClientFor(SharedService.NewTenant());
        var oldKey = SharedService.NewKey();
        var newKey = SharedService.NewKey();
        service.Us.Respond(oldKey, FakeReply.Ok());
        service.Us.Respond(newKey, FakeReply.Ok());
        var created = await client.CreateCredential(oldKey);
        var id = created["id"]!.GetValue<Guid>();
        await client.PostAsync($"/v1/credentials/{id}/test", null);

        var rotated = await (await client.SendAsync(Patch(id, new { appApiKey = newKey }))).ReadJson();

        Assert.Equal(newKey[^4..], rotated["appApiKeyLast4"]!.GetValue<string>());
        Assert.Null(rotated["lastTest"]);
        await client.PostAsync($"/v1/credentials/{id}/test", null);
        Assert.Single(service.Us.RequestsWithKey(oldKey));
        Assert.Single(service.Us.RequestsWithKey(newKey));
        var secret = await client.GetJson($"/v1/credentials/{id}/secret");
        Assert.Equal(newKey, secret["appApiKey"]!.GetValue<string>());
    }

    [Fact]
    public async Task Changing_the_region_clears_last_test_and_renaming_keeps_it()
    {
        var client = service.Host.ClientFor(SharedService.NewTenant());
        var key = SharedService.NewKey();
        service.Us.Respond(key, FakeReply.Ok());
        var id = (await client.CreateCredential(key))["id"]!.GetValue<Guid>();
        await client.PostAsync($"/v1/credentials/{id}/test", null);

        var renamed = await (await client.SendAsync(Patch(id, new { name = "still tested" }))).ReadJson();
        Assert.NotNull(renamed["lastTest"]);
        var sameRegion = await (await client.SendAsync(Patch(id, new { region = "api.customer.io" }))).ReadJson();
        Assert.NotNull(sameRegion["lastTest"]);
        var moved = await (await client.SendAsync(Patch(id, new { region = "eu" }))).ReadJson();
        Assert.Null(moved["lastTest"]);
        Assert.Equal("api-eu.customer.io", moved["apiDomain"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_stale_if_match_is_412_and_changes_nothing()
    {
        var client = service.Host.ClientFor(SharedService.NewTenant());
        var created = await client.CreateCredential(SharedService.NewKey());
        var id = created["id"]!.GetValue<Guid>();
        var staleETag = ETagOf(created);
        var current = await (await client.SendAsync(Patch(id, new { name = "first writer" }, staleETag))).ReadJson();

        var patch = await client.SendAsync(Patch(id, new { name = "second writer" }, staleETag));
        var delete = new HttpRequestMessage(HttpMethod.Delete, $"/v1/credentials/{id}");
        delete.Headers.IfMatch.Add(EntityTagHeaderValue.Parse(staleETag));
        var deleted = await client.SendAsync(delete);

        Assert.Equal(HttpStatusCode.PreconditionFailed, patch.StatusCode);
        Assert.Equal("application/problem+json", patch.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.PreconditionFailed, deleted.StatusCode);
        var now = await client.GetJson($"/v1/credentials/{id}");
        Assert.Equal("first writer", now["name"]!.GetValue<string>());
        Assert.Equal(current["version"]!.GetValue<string>(), now["version"]!.GetValue<string>());
    }

    [Fact]
    public async Task Of_20_concurrent_patches_with_one_if_match_exactly_one_wins()
    {
        var client = service.Host.ClientFor(SharedService.NewTenant());
        var created = await client.CreateCredential(SharedService.NewKey());
        var id = created["id"]!.GetValue<Guid>();

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            client.SendAsync(Patch(id, new { name = $"writer {i}" }, ETagOf(created)))));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        Assert.Equal(19, responses.Count(r => r.StatusCode == HttpStatusCode.PreconditionFailed));
        var winner = await responses.Single(r => r.StatusCode == HttpStatusCode.OK).ReadJson();
        Assert.Equal(winner["name"]!.GetValue<string>(), (await client.GetJson($"/v1/credentials/{id}"))["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Delete_is_204_then_404_and_the_ciphertext_is_gone_from_the_database()
    {
        var client = service.Host.ClientFor(SharedService.NewTenant());
        var created = await client.CreateCredential(SharedService.NewKey());
        var id = created["id"]!.GetValue<Guid>();
        var delete = new HttpRequestMessage(HttpMethod.Delete, $"/v1/credentials/{id}");
        delete.Headers.IfMatch.Add(EntityTagHeaderValue.Parse(ETagOf(created)));

        Assert.Equal(HttpStatusCode.NoContent, (await client.SendAsync(delete)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/v1/credentials/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.DeleteAsync($"/v1/credentials/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/v1/credentials/{id}/secret")).StatusCode);

        await using var db = new NpgsqlConnection(service.Host.ConnectionString);
        await db.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM credentials WHERE id = @id", db);
        count.Parameters.AddWithValue("id", id);
        Assert.Equal(0L, (long)(await count.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task Secret_returns_key_region_and_base_url_uncached_only_to_credentials_use()
    {
        var tenant = SharedService.NewTenant();
        var key = SharedService.NewKey();
        var created = await service.Host.ClientFor(tenant).CreateCredential("  " + key + " ", region: "eu");
        var id = created["id"]!.GetValue<Guid>();

        var response = await service.Host.ClientFor(tenant, "credentials:use").GetAsync($"/v1/credentials/{id}/secret");
        var readOnly = await service.Host.ClientFor(tenant, "credentials:read", "credentials:write", "credentials:test").GetAsync($"/v1/credentials/{id}/secret");
        var otherTenant = await service.Host.ClientFor(SharedService.NewTenant(), "credentials:use").GetAsync($"/v1/credentials/{id}/secret");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.CacheControl!.NoStore);
        var secret = await response.ReadJson();
        Assert.Equal(key, secret["appApiKey"]!.GetValue<string>());
        Assert.Equal("eu", secret["region"]!.GetValue<string>());
        Assert.Equal(service.Eu.BaseUrl.ToString().TrimEnd('/'), secret["baseUrl"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Forbidden, readOnly.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, otherTenant.StatusCode);
    }

    [Fact]
    public async Task The_events_of_a_full_lifecycle_come_newest_first_with_actor_and_no_key()
    {
        var tenant = SharedService.NewTenant();
        var client = service.Host.ClientFor(tenant);
        var runtime = new HttpClient(service.Host.Server.CreateHandler()) { BaseAddress = service.Host.Server.BaseAddress };
        runtime.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Tokens.For(tenant, ["credentials:use"], subject: "runtime-7"));
        var key = SharedService.NewKey();
        var newKey = SharedService.NewKey();
        service.Us.Respond(newKey, FakeReply.Ok());

        var id = (await client.CreateCredential(key))["id"]!.GetValue<Guid>();
        await client.SendAsync(Patch(id, new { name = "renamed", description = (string?)null }));
        await client.SendAsync(Patch(id, new { appApiKey = newKey }));
        await client.PostAsync($"/v1/credentials/{id}/test", null);
        await runtime.GetAsync($"/v1/credentials/{id}/secret");
        await client.DeleteAsync($"/v1/credentials/{id}");

        var response = await client.GetAsync($"/v1/credentials/{id}/events");
        var events = new JsonArray((await response.ReadJson())["items"]!.AsArray().Reverse().Select(e => e!.DeepClone()).ToArray());
        Assert.Equal(
            ["created", "updated", "key_rotated", "tested", "secret_read", "deleted"],
            events.Select(e => e!["action"]!.GetValue<string>()));
        Assert.Equal(["user-1", "user-1", "user-1", "user-1", "runtime-7", "user-1"], events.Select(e => e!["actor"]!.GetValue<string>()));
        Assert.Equal(1, events[4]!["detail"]!["count"]!.GetValue<int>());
        Assert.Equal(["name", "description"], events[1]!["detail"]!["changedFields"]!.AsArray().Select(f => f!.GetValue<string>()));
        Assert.Equal(newKey[^4..], events[2]!["detail"]!["appApiKeyLast4"]!.GetValue<string>());
        Assert.Equal("ok", events[3]!["detail"]!["outcome"]!.GetValue<string>());
        var raw = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain(key, raw);
        Assert.DoesNotContain(newKey, raw);
        Assert.Equal(HttpStatusCode.NotFound, (await service.Host.ClientFor(SharedService.NewTenant()).GetAsync($"/v1/credentials/{id}/events")).StatusCode);
    }
}
