using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using CredentialService.Tests.Infrastructure;

namespace CredentialService.Tests.Hardening;

/// <summary>
/// The audit trail shows its newest events first, in pages; repeated secret reads by one actor are one event with a
/// count; events older than Audit:RetentionDays are removed by a background job that two instances can run at once.
/// </summary>
public sealed class AuditTrailTests : IsolatedServiceTest
{
    private static HttpClient As(ServiceHost host, string tenant, string subject)
    {
        var client = host.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Tokens.For(tenant, Tokens.AllScopes, subject));
        return client;
    }

    private static string[] Actions(JsonNode page) => page["items"]!.AsArray().Select(e => e!["action"]!.GetValue<string>()).ToArray();

    [Fact]
    public async Task After_a_thousand_old_events_the_newest_come_first_and_every_event_is_reachable_by_cursor()
    {
        var tenant = SharedService.NewTenant();
        var client = As(Host, tenant, "user-1");
        var id = (await client.CreateCredential(SharedService.NewKey()))["id"]!.GetValue<Guid>();
        await Sql.Execute(ConnectionString,
            "INSERT INTO credential_events (tenant_id, credential_id, at, action, actor) " +
            "SELECT @t, @id, now(), 'secret_read', 'runtime-' || i FROM generate_series(1, 1000) i",
            ("t", tenant), ("id", id));

        await client.PatchAsync($"/v1/credentials/{id}", Api.Json(new { appApiKey = SharedService.NewKey() }));
        Assert.Equal(HttpStatusCode.OK, (await As(Host, tenant, "someone-else").GetAsync($"/v1/credentials/{id}/secret")).StatusCode);

        var first = await client.GetJson($"/v1/credentials/{id}/events?limit=2");
        Assert.Equal(["secret_read", "key_rotated"], Actions(first));
        Assert.Equal("someone-else", first["items"]![0]!["actor"]!.GetValue<string>());
        Assert.Equal(2, first["limit"]!.GetValue<int>());
        Assert.NotNull(first["nextCursor"]);

        var seen = new List<JsonNode>();
        string? cursor = null;
        do
        {
            var page = await client.GetJson($"/v1/credentials/{id}/events?limit=200" + (cursor is null ? "" : $"&cursor={cursor}"));
            seen.AddRange(page["items"]!.AsArray().Select(e => e!));
            cursor = page["nextCursor"]?.GetValue<string>();
        }
        while (cursor is not null);

        Assert.Equal(1003, seen.Count);
        Assert.Equal("created", seen[^1]["action"]!.GetValue<string>());
        var times = seen.Select(e => e["at"]!.GetValue<DateTime>()).ToList();
        Assert.Equal(times.OrderByDescending(t => t), times);
        Assert.Equal(50, (await client.GetJson($"/v1/credentials/{id}/events"))["items"]!.AsArray().Count);
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=201", "limit")]
    [InlineData("cursor=not-a-cursor", "cursor")]
    public async Task A_bad_limit_or_cursor_is_400_naming_it(string query, string field)
    {
        var client = Host.ClientFor(SharedService.NewTenant());
        var id = (await client.CreateCredential(SharedService.NewKey()))["id"]!.GetValue<Guid>();
        var response = await client.GetAsync($"/v1/credentials/{id}/events?{query}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(field, await response.ErrorKeys());
    }

    [Fact]
    public async Task Consecutive_secret_reads_by_one_actor_within_the_window_are_one_event_with_a_count()
    {
        var tenant = SharedService.NewTenant();
        var id = (await As(Host, tenant, "user-1").CreateCredential(SharedService.NewKey()))["id"]!.GetValue<Guid>();
        var runtime = As(Host, tenant, "runtime-1");
        var other = As(Host, tenant, "runtime-2");
        for (var i = 0; i < 5; i++) Assert.Equal(HttpStatusCode.OK, (await runtime.GetAsync($"/v1/credentials/{id}/secret")).StatusCode);
        await other.GetAsync($"/v1/credentials/{id}/secret");
        await runtime.GetAsync($"/v1/credentials/{id}/secret");
        await runtime.GetAsync($"/v1/credentials/{id}/secret");

        var items = (await runtime.GetJson($"/v1/credentials/{id}/events"))["items"]!.AsArray();
        Assert.Equal(["secret_read", "secret_read", "secret_read", "created"], items.Select(e => e!["action"]!.GetValue<string>()));
        Assert.Equal(["runtime-1", "runtime-2", "runtime-1", "user-1"], items.Select(e => e!["actor"]!.GetValue<string>()));
        Assert.Equal([2, 1, 5], items.Take(3).Select(e => e!["detail"]!["count"]!.GetValue<int>()));
        Assert.True(items[2]!["detail"]!["firstAt"]!.GetValue<DateTime>() <= items[2]!["at"]!.GetValue<DateTime>());

        // A group never spans more than the window: once its first read is older than that, the next read starts a new one.
        await Sql.Execute(ConnectionString,
            "UPDATE credential_events SET at = at - interval '1 hour', " +
            "detail = jsonb_set(detail, '{firstAt}', to_jsonb(at - interval '1 hour')) WHERE credential_id = @id AND actor = 'runtime-1'",
            ("id", id));
        await runtime.GetAsync($"/v1/credentials/{id}/secret");
        var after = (await runtime.GetJson($"/v1/credentials/{id}/events"))["items"]!.AsArray();
        Assert.Equal(5, after.Count);
        Assert.Equal(1, after[0]!["detail"]!["count"]!.GetValue<int>());
    }

    [Fact]
    public async Task Two_instances_remove_events_older_than_the_retention_and_keep_the_rest()
    {
        var tenant = SharedService.NewTenant();
        var client = As(Host, tenant, "user-1");
        var id = (await client.CreateCredential(SharedService.NewKey()))["id"]!.GetValue<Guid>();
        await client.PatchAsync($"/v1/credentials/{id}", Api.Json(new { name = "renamed" }));
        await Sql.Execute(ConnectionString, "UPDATE credential_events SET at = now() - interval '3 days' WHERE action = 'created'");
        await Sql.Execute(ConnectionString,
            "INSERT INTO credential_events (tenant_id, credential_id, at, action, actor) " +
            "SELECT @t, @id, now() - interval '500 days', 'secret_read', 'runtime' FROM generate_series(1, 2500)",
            ("t", tenant), ("id", id));
        Assert.Equal(2502, await CountEvents(client, id)); // this host swept at its start, before the rows were made old

        var settings = new Dictionary<string, string?> { ["Audit:RetentionDays"] = "1" };
        var second = StartHost(settings);
        var third = StartHost(settings);
        _ = second.Server;
        _ = third.Server;

        Assert.True(await Sql.Eventually(async () => await CountEvents(client, id) == 1), "old events were not removed");
        var left = await client.GetJson($"/v1/credentials/{id}/events");
        Assert.Equal(["updated"], Actions(left));
    }

    private static async Task<int> CountEvents(HttpClient client, Guid id)
    {
        var count = 0;
        string? cursor = null;
        do
        {
            var page = await client.GetJson($"/v1/credentials/{id}/events?limit=200" + (cursor is null ? "" : $"&cursor={cursor}"));
            count += page["items"]!.AsArray().Count;
            cursor = page["nextCursor"]?.GetValue<string>();
        }
        while (cursor is not null);

        return count;
    }
}
