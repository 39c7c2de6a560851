using System.Net;
using CredentialService.FakeCustomerIo;
using CredentialService.Tests.Infrastructure;

namespace CredentialService.Tests.Usages;

/// <summary>The list's inUse and lastOutcome filters, with each other, the other filters and the cursor.</summary>
[Collection(SharedServiceGroup.Name)]
public sealed class ListFilterTests(SharedService service)
{
    [Fact]
    public async Task InUse_and_lastOutcome_filter_the_list_and_page_with_the_cursor()
    {
        var client = service.Host.ClientFor(SharedService.NewTenant());
        // Twelve credentials, newest last: every third in use; ok, invalid_key or untested in turn.
        var made = new List<(Guid Id, bool InUse, string Outcome)>();
        for (var i = 0; i < 12; i++)
        {
            var key = SharedService.NewKey();
            var id = (await client.CreateCredential(key, name: $"cred {i}"))["id"]!.GetValue<Guid>();
            var inUse = i % 3 == 0;
            if (inUse)
                Assert.Equal(HttpStatusCode.Created,
                    (await client.PutAsync($"/v1/credentials/{id}/usages/src-{i}", Api.Json(new { kind = "source", name = $"s{i}" }))).StatusCode);
            var outcome = (i % 3) switch { 0 => "ok", 1 => "invalid_key", _ => "untested" };
            if (outcome == "ok") service.Us.Respond(key, FakeReply.Ok());
            if (outcome != "untested")
            {
                var test = await client.PostAsync($"/v1/credentials/{id}/test", null);
                while (test.StatusCode == HttpStatusCode.TooManyRequests) // the tenant's 5 tests per second
                {
                    await Task.Delay(TimeSpan.FromSeconds(1));
                    test = await client.PostAsync($"/v1/credentials/{id}/test", null);
                }

                Assert.Equal(outcome, (await test.ReadJson())["outcome"]!.GetValue<string>());
            }

            made.Add((id, inUse, outcome));
        }

        made.Reverse(); // newest first, as the list answers
        Assert.Equal(made.Where(m => m.InUse).Select(m => m.Id), await Walk(client, "inUse=true"));
        Assert.Equal(made.Where(m => !m.InUse).Select(m => m.Id), await Walk(client, "inUse=false"));
        Assert.Equal(made.Where(m => m.Outcome == "invalid_key").Select(m => m.Id), await Walk(client, "lastOutcome=invalid_key"));
        Assert.Equal(made.Where(m => m.Outcome == "untested").Select(m => m.Id), await Walk(client, "lastOutcome=untested"));
        Assert.Equal(made.Where(m => m.InUse && m.Outcome == "ok").Select(m => m.Id), await Walk(client, "inUse=true&lastOutcome=ok"));
        Assert.Empty(await Walk(client, "inUse=false&lastOutcome=ok"));
        Assert.Equal(made.Where(m => !m.InUse && m.Outcome == "invalid_key").Select(m => m.Id),
            await Walk(client, "inUse=false&lastOutcome=invalid_key&region=us&q=cred"));

        var first = await client.GetJson("/v1/credentials?lastOutcome=ok&limit=1");
        Assert.Equal("ok", first["items"]![0]!["lastTest"]!["outcome"]!.GetValue<string>());
        Assert.Equal(1, first["items"]![0]!["usageCount"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("lastOutcome=broken", "lastOutcome")]
    [InlineData("lastOutcome=OK", "lastOutcome")]
    [InlineData("inUse=maybe", "inUse")]
    public async Task An_unknown_filter_value_is_a_400_naming_it(string query, string field)
    {
        var response = await service.Host.ClientFor(SharedService.NewTenant()).GetAsync($"/v1/credentials?{query}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal([field], await response.ErrorKeys());
    }

    /// <summary>Every id the filter returns, two per page, following nextCursor.</summary>
    private static async Task<List<Guid>> Walk(HttpClient client, string filter)
    {
        var ids = new List<Guid>();
        string? cursor = null;
        do
        {
            var page = await client.GetJson($"/v1/credentials?{filter}&limit=2{(cursor is null ? "" : $"&cursor={cursor}")}");
            ids.AddRange(page["items"]!.AsArray().Select(i => i!["id"]!.GetValue<Guid>()));
            cursor = page["nextCursor"]?.GetValue<string>();
        }
        while (cursor is not null);

        return ids;
    }
}
