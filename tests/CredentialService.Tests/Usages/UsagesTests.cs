using System.Net;
using CredentialService.Tests.Infrastructure;
using Npgsql;

namespace CredentialService.Tests.Usages;

/// <summary>PUT, GET and DELETE of usages, usageCount, and delete protection, through HTTP on real Postgres.</summary>
[Collection(SharedServiceGroup.Name)]
public sealed class UsagesTests(SharedService service)
{
    private static object Usage(string kind = "source", string name = "Customer.io segments, nightly") => new { kind, name };

    [Fact]
    public async Task Put_is_201_when_new_and_200_when_it_replaces_the_usage_of_that_id()
    {
        var client = service.Host.ClientFor(SharedService.NewTenant());
        var id = (await client.CreateCredential(SharedService.NewKey()))["id"]!.GetValue<Guid>();

        var first = await client.PutAsync($"/v1/credentials/{id}/usages/src-4711", Api.Json(Usage()));
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal($"/v1/credentials/{id}/usages/src-4711", first.Headers.Location?.OriginalString);
        var created = await first.ReadJson();
        Assert.Equal("src-4711", created["id"]!.GetValue<string>());
        Assert.Equal("source", created["kind"]!.GetValue<string>());
        Assert.Equal("Customer.io segments, nightly", created["name"]!.GetValue<string>());

        var again = await client.PutAsync($"/v1/credentials/{id}/usages/src-4711", Api.Json(Usage(name: "  Segments, hourly ")));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var replaced = await again.ReadJson();
        Assert.Equal("Segments, hourly", replaced["name"]!.GetValue<string>());
        Assert.Equal(created["createdAt"]!.GetValue<DateTime>(), replaced["createdAt"]!.GetValue<DateTime>());

        Assert.Equal(HttpStatusCode.Created,
            (await client.PutAsync($"/v1/credentials/{id}/usages/dst:crm.1_A", Api.Json(Usage("destination", "CRM sync")))).StatusCode);

        var list = (await client.GetJson($"/v1/credentials/{id}/usages"))["items"]!.AsArray();
        Assert.Equal(["src-4711", "dst:crm.1_A"], list.Select(u => u!["id"]!.GetValue<string>()));
        Assert.Equal(["source", "destination"], list.Select(u => u!["kind"]!.GetValue<string>()));

        Assert.Equal(2, (await client.GetJson($"/v1/credentials/{id}"))["usageCount"]!.GetValue<int>());
        Assert.Equal(2, (await client.GetJson("/v1/credentials"))["items"]![0]!["usageCount"]!.GetValue<int>());
    }

    [Fact]
    public async Task Delete_removes_a_usage_and_is_404_when_absent_and_the_history_shows_both()
    {
        var client = service.Host.ClientFor(SharedService.NewTenant());
        var id = (await client.CreateCredential(SharedService.NewKey()))["id"]!.GetValue<Guid>();
        await client.PutAsync($"/v1/credentials/{id}/usages/src-1", Api.Json(Usage()));

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/v1/credentials/{id}/usages/src-1")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.DeleteAsync($"/v1/credentials/{id}/usages/src-1")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.DeleteAsync($"/v1/credentials/{id}/usages/never")).StatusCode);
        Assert.Empty((await client.GetJson($"/v1/credentials/{id}/usages"))["items"]!.AsArray());
        Assert.Equal(0, (await client.GetJson($"/v1/credentials/{id}"))["usageCount"]!.GetValue<int>());

        var events = (await client.GetJson($"/v1/credentials/{id}/events"))["items"]!.AsArray();
        Assert.Equal(["usage_removed", "usage_added", "created"], events.Select(e => e!["action"]!.GetValue<string>())); // newest first
        Assert.Equal("src-1", events[1]!["detail"]!["usage"]!["id"]!.GetValue<string>());
        Assert.Equal("source", events[0]!["detail"]!["usage"]!["kind"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("semi;colon")]
    [InlineData("ümlaut")]
    public async Task A_usage_id_outside_the_allowed_characters_is_a_400_naming_usageId(string usageId)
    {
        var client = service.Host.ClientFor(SharedService.NewTenant());
        var id = (await client.CreateCredential(SharedService.NewKey()))["id"]!.GetValue<Guid>();

        var response = await client.PutAsync($"/v1/credentials/{id}/usages/{Uri.EscapeDataString(usageId)}", Api.Json(Usage()));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["usageId"], await response.ErrorKeys());
    }

    [Fact]
    public async Task A_usage_id_of_200_characters_is_accepted_and_of_201_refused()
    {
        var client = service.Host.ClientFor(SharedService.NewTenant());
        var id = (await client.CreateCredential(SharedService.NewKey()))["id"]!.GetValue<Guid>();

        Assert.Equal(HttpStatusCode.Created,
            (await client.PutAsync($"/v1/credentials/{id}/usages/{new string('a', 200)}", Api.Json(Usage()))).StatusCode);
        var tooLong = await client.PutAsync($"/v1/credentials/{id}/usages/{new string('a', 201)}", Api.Json(Usage()));
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Equal(["usageId"], await tooLong.ErrorKeys());
    }

    [Theory]
    [InlineData("""{"kind":"pipeline","name":"x"}""", "kind")]
    [InlineData("""{"name":"x"}""", "kind")]
    [InlineData("""{"kind":"Source","name":"x"}""", "kind")]
    [InlineData("""{"kind":"source","name":"   "}""", "name")]
    [InlineData("""{"kind":"source"}""", "name")]
    [InlineData("""{"kind":"source","name":"a\u0000b"}""", "name")]
    [InlineData("""{"kind":"source","name":"x","extra":1}""", "extra")]
    [InlineData("""{"kind":7,"name":"x"}""", "kind")]
    public async Task An_invalid_body_is_a_400_naming_the_field(string body, string field)
    {
        var client = service.Host.ClientFor(SharedService.NewTenant());
        var id = (await client.CreateCredential(SharedService.NewKey()))["id"]!.GetValue<Guid>();

        var response = await client.PutAsync($"/v1/credentials/{id}/usages/src-1", Api.RawJson(body));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(field, await response.ErrorKeys());
        Assert.Equal(0, (await client.GetJson($"/v1/credentials/{id}"))["usageCount"]!.GetValue<int>());
    }

    [Fact]
    public async Task Another_tenants_credential_is_404_on_every_usage_endpoint()
    {
        var owner = service.Host.ClientFor(SharedService.NewTenant());
        var other = service.Host.ClientFor(SharedService.NewTenant());
        var id = (await owner.CreateCredential(SharedService.NewKey()))["id"]!.GetValue<Guid>();
        await owner.PutAsync($"/v1/credentials/{id}/usages/src-1", Api.Json(Usage()));

        Assert.Equal(HttpStatusCode.NotFound, (await other.PutAsync($"/v1/credentials/{id}/usages/src-2", Api.Json(Usage()))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/v1/credentials/{id}/usages")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.DeleteAsync($"/v1/credentials/{id}/usages/src-1")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await owner.GetAsync($"/v1/credentials/{Guid.CreateVersion7()}/usages")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound,
            (await owner.PutAsync($"/v1/credentials/{Guid.CreateVersion7()}/usages/src-1", Api.Json(Usage()))).StatusCode);

        Assert.Single((await owner.GetJson($"/v1/credentials/{id}/usages"))["items"]!.AsArray());
        Assert.Equal(1, (await owner.GetJson($"/v1/credentials/{id}"))["usageCount"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_read_only_token_reads_usages_but_cannot_change_them()
    {
        var tenant = SharedService.NewTenant();
        var writer = service.Host.ClientFor(tenant);
        var reader = service.Host.ClientFor(tenant, "credentials:read");
        var id = (await writer.CreateCredential(SharedService.NewKey()))["id"]!.GetValue<Guid>();
        await writer.PutAsync($"/v1/credentials/{id}/usages/src-1", Api.Json(Usage()));

        Assert.Equal(HttpStatusCode.Forbidden, (await reader.PutAsync($"/v1/credentials/{id}/usages/src-2", Api.Json(Usage()))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.DeleteAsync($"/v1/credentials/{id}/usages/src-1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync($"/v1/credentials/{id}/usages")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden,
            (await service.Host.ClientFor(tenant, "credentials:write").GetAsync($"/v1/credentials/{id}/usages")).StatusCode);
        Assert.Single((await writer.GetJson($"/v1/credentials/{id}/usages"))["items"]!.AsArray());
    }

    [Fact]
    public async Task Deleting_a_credential_in_use_is_a_409_naming_its_usages_and_force_deletes_it_with_them()
    {
        var client = service.Host.ClientFor(SharedService.NewTenant());
        var id = (await client.CreateCredential(SharedService.NewKey()))["id"]!.GetValue<Guid>();
        for (var i = 1; i <= 12; i++)
            await client.PutAsync($"/v1/credentials/{id}/usages/src-{i:D2}", Api.Json(Usage(name: $"Source {i}")));

        var refused = await client.DeleteAsync($"/v1/credentials/{id}");
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var problem = await refused.ReadJson();
        Assert.EndsWith("credential-in-use", problem["type"]!.GetValue<string>());
        Assert.Equal(12, problem["usageCount"]!.GetValue<int>());
        var listed = problem["usages"]!.AsArray();
        Assert.Equal(10, listed.Count);
        Assert.Equal("src-01", listed[0]!["id"]!.GetValue<string>());
        Assert.Contains("Source 1", problem["detail"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/v1/credentials/{id}")).StatusCode);

        var forced = await client.DeleteAsync($"/v1/credentials/{id}?force=true");
        Assert.Equal(HttpStatusCode.NoContent, forced.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/v1/credentials/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/v1/credentials/{id}/usages")).StatusCode);
        Assert.Equal(0L, await CountUsagesInDatabase(id));

        var deleted = (await client.GetJson($"/v1/credentials/{id}/events"))["items"]!.AsArray()[0]!; // newest first
        Assert.Equal("deleted", deleted["action"]!.GetValue<string>());
        Assert.True(deleted["detail"]!["forced"]!.GetValue<bool>());
        Assert.Equal(12, deleted["detail"]!["usagesRemoved"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_credential_whose_usages_were_removed_deletes_without_force_and_the_event_says_not_forced()
    {
        var client = service.Host.ClientFor(SharedService.NewTenant());
        var id = (await client.CreateCredential(SharedService.NewKey()))["id"]!.GetValue<Guid>();
        await client.PutAsync($"/v1/credentials/{id}/usages/src-1", Api.Json(Usage()));
        await client.DeleteAsync($"/v1/credentials/{id}/usages/src-1");

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/v1/credentials/{id}")).StatusCode);
        var deleted = (await client.GetJson($"/v1/credentials/{id}/events"))["items"]!.AsArray()[0]!; // newest first
        Assert.False(deleted["detail"]!["forced"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_usage_racing_a_delete_either_blocks_the_delete_or_finds_the_credential_gone()
    {
        var client = service.Host.ClientFor(SharedService.NewTenant());
        for (var round = 0; round < 15; round++)
        {
            var id = (await client.CreateCredential(SharedService.NewKey()))["id"]!.GetValue<Guid>();
            var put = client.PutAsync($"/v1/credentials/{id}/usages/src-race", Api.Json(Usage()));
            var delete = client.DeleteAsync($"/v1/credentials/{id}");
            var (putStatus, deleteStatus) = ((await put).StatusCode, (await delete).StatusCode);

            if (deleteStatus == HttpStatusCode.NoContent)
            {
                Assert.Equal(HttpStatusCode.NotFound, putStatus);
                Assert.Equal(0L, await CountUsagesInDatabase(id));
            }
            else
            {
                Assert.Equal(HttpStatusCode.Conflict, deleteStatus);
                Assert.Equal(HttpStatusCode.Created, putStatus);
                Assert.Equal(1, (await client.GetJson($"/v1/credentials/{id}"))["usageCount"]!.GetValue<int>());
            }
        }
    }

    private async Task<long> CountUsagesInDatabase(Guid credentialId)
    {
        await using var connection = new NpgsqlConnection(service.Host.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM credential_usages WHERE credential_id = @id", connection);
        command.Parameters.AddWithValue("id", credentialId);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
