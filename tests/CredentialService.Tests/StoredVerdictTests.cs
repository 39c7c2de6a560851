using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using CredentialService.FakeCustomerIo;
using CredentialService.Tests.Infrastructure;

namespace CredentialService.Tests;

/// <summary>
/// What a test of a stored credential writes (lastTest, its ETag, the tested and verdict_changed events), and what it
/// must not write when the credential changed while Customer.io was answering.
/// </summary>
[Collection(SharedServiceGroup.Name)]
public sealed class StoredVerdictTests(SharedService service)
{
    [Fact]
    public async Task A_new_outcome_is_stored_with_a_tested_event_then_a_verdict_changed_event_and_the_new_etag()
    {
        var client = service.Host.ClientFor(SharedService.NewTenant());
        var key = SharedService.NewKey();
        service.Us.Respond(key, FakeReply.Ok());
        var id = (await client.CreateCredential(key))["id"]!.GetValue<Guid>();

        var first = await client.PostAsync($"/v1/credentials/{id}/test", null);
        Assert.Equal("ok", (await first.ReadJson())["outcome"]!.GetValue<string>());
        var afterFirst = await client.GetJson($"/v1/credentials/{id}");
        Assert.Equal("ok", afterFirst["lastTest"]!["outcome"]!.GetValue<string>());
        Assert.Equal($"\"{afterFirst["version"]!.GetValue<string>()}\"", first.Headers.ETag!.Tag);

        service.Us.Respond(key, FakeReply.Unauthorized());
        var second = await client.PostAsync($"/v1/credentials/{id}/test", null);
        Assert.Equal("invalid_key", (await second.ReadJson())["outcome"]!.GetValue<string>());
        var afterSecond = await client.GetJson($"/v1/credentials/{id}");
        Assert.Equal("invalid_key", afterSecond["lastTest"]!["outcome"]!.GetValue<string>());
        Assert.Equal($"\"{afterSecond["version"]!.GetValue<string>()}\"", second.Headers.ETag!.Tag);
        Assert.NotEqual(afterFirst["version"]!.GetValue<string>(), afterSecond["version"]!.GetValue<string>());
        Assert.Equal(1, await CountListed(client, "invalid_key", id));

        // Oldest first: created, the first tested (no previous verdict: no change), the second tested, its change.
        var events = (await client.GetJson($"/v1/credentials/{id}/events"))["items"]!.AsArray().Reverse().ToArray();
        Assert.Equal(["created", "tested", "tested", "verdict_changed"], events.Select(e => e!["action"]!.GetValue<string>()));
        Assert.Equal("ok", events[1]!["detail"]!["outcome"]!.GetValue<string>());
        Assert.Equal("invalid_key", events[2]!["detail"]!["outcome"]!.GetValue<string>());
        Assert.Equal("us", events[2]!["detail"]!["region"]!.GetValue<string>());
        Assert.Equal("ok", events[3]!["detail"]!["from"]!.GetValue<string>());
        Assert.Equal("invalid_key", events[3]!["detail"]!["to"]!.GetValue<string>());
        Assert.All(events.Skip(1), e => Assert.Equal(events[2]!["actor"]!.GetValue<string>(), e!["actor"]!.GetValue<string>()));

        // The same outcome again: a tested event, no second change.
        await client.PostAsync($"/v1/credentials/{id}/test", null);
        var again = (await client.GetJson($"/v1/credentials/{id}/events"))["items"]!.AsArray();
        Assert.Equal(5, again.Count);
        Assert.Equal("tested", again[0]!["action"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_key_rotated_while_the_test_runs_keeps_the_tested_event_but_neither_the_verdict_nor_a_change()
    {
        var client = service.Host.ClientFor(SharedService.NewTenant());
        var oldKey = SharedService.NewKey();
        var newKey = SharedService.NewKey();
        service.Us.Respond(oldKey, FakeReply.Ok());
        var id = (await client.CreateCredential(oldKey))["id"]!.GetValue<Guid>();
        await client.PostAsync($"/v1/credentials/{id}/test", null); // lastTest: ok

        // The old key is refused, slowly: the key is rotated while Customer.io is answering.
        service.Us.Respond(oldKey, FakeReply.Unauthorized() with { Delay = TimeSpan.FromSeconds(2) });
        var testing = client.PostAsync($"/v1/credentials/{id}/test", null);
        await UntilCustomerIoHasSeen(oldKey, 2);
        var rotate = new HttpRequestMessage(HttpMethod.Patch, $"/v1/credentials/{id}") { Content = Api.Json(new { appApiKey = newKey }) };
        var rotated = await (await client.SendAsync(rotate)).ReadJson();

        var tested = await testing;
        Assert.Equal(HttpStatusCode.OK, tested.StatusCode);
        Assert.Equal("invalid_key", (await tested.ReadJson())["outcome"]!.GetValue<string>());
        Assert.Null(tested.Headers.ETag); // nothing was stored: no new version to hand back

        var now = await client.GetJson($"/v1/credentials/{id}");
        Assert.Null(now["lastTest"]); // cleared by the rotation, not overwritten by a verdict about the old key
        Assert.Equal(rotated["version"]!.GetValue<string>(), now["version"]!.GetValue<string>());
        Assert.Equal(newKey[^4..], now["appApiKeyLast4"]!.GetValue<string>());

        var actions = (await client.GetJson($"/v1/credentials/{id}/events"))["items"]!.AsArray()
            .Select(e => e!["action"]!.GetValue<string>()).Reverse().ToArray();
        Assert.Equal(["created", "tested", "key_rotated", "tested"], actions);
    }

    [Fact]
    public async Task A_credential_deleted_while_the_test_runs_stays_deleted()
    {
        var client = service.Host.ClientFor(SharedService.NewTenant());
        var key = SharedService.NewKey();
        service.Us.Respond(key, FakeReply.Ok() with { Delay = TimeSpan.FromSeconds(2) });
        var id = (await client.CreateCredential(key))["id"]!.GetValue<Guid>();

        var testing = client.PostAsync($"/v1/credentials/{id}/test", null);
        await UntilCustomerIoHasSeen(key, 1);
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/v1/credentials/{id}")).StatusCode);

        var tested = await testing;
        Assert.Equal(HttpStatusCode.OK, tested.StatusCode);
        Assert.Null(tested.Headers.ETag);
        await client.GetJson($"/v1/credentials/{id}", HttpStatusCode.NotFound);
    }

    /// <summary>Waits until the test under way has reached Customer.io (the fake holds its answer back).</summary>
    private async Task UntilCustomerIoHasSeen(string key, int requests)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (service.Us.RequestsWithKey(key).Count < requests && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.Equal(requests, service.Us.RequestsWithKey(key).Count);
    }

    private static async Task<int> CountListed(HttpClient client, string outcome, Guid id) =>
        (await client.GetJson($"/v1/credentials?lastOutcome={outcome}"))["items"]!.AsArray()
        .Count(c => c!["id"]!.GetValue<Guid>() == id);
}
