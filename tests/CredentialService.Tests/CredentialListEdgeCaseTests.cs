using System.Net;
using System.Text.Json.Nodes;
using CredentialService.Tests.Infrastructure;

namespace CredentialService.Tests;

/// <summary>
/// The list's and the key-usage list's parameter checks word by word, their boundaries, the last page's cursor and
/// the search's literal characters: the edges mutation testing showed untested (README, "Mutation testing").
/// </summary>
[Collection(SharedServiceGroup.Name)]
public sealed class CredentialListEdgeCaseTests(SharedService service)
{
    private HttpClient Client() => service.Host.ClientFor(SharedService.NewTenant());

    private static async Task<Dictionary<string, string>> Errors(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await response.ReadJson())["errors"]!.AsObject();
        return errors.ToDictionary(e => e.Key, e => Assert.Single(e.Value!.AsArray())!.GetValue<string>());
    }

    private static string[] Names(JsonNode page) =>
        page["items"]!.AsArray().Select(i => i!["name"]!.GetValue<string>()).Order(StringComparer.Ordinal).ToArray();

    [Theory]
    [InlineData("limit=0", "limit", "limit must be between 1 and 200.")]
    [InlineData("limit=201", "limit", "limit must be between 1 and 200.")]
    [InlineData("cursor=AAAAAAAAAAAAAAAAAAAAA%2B", "cursor", "cursor is not a value this service returned as nextCursor.")]
    [InlineData("region=mars", "region", "region must be one of: us, eu, api.customer.io, api-eu.customer.io.")]
    [InlineData("q=tab%09here", "q", "q must not contain control characters.")]
    [InlineData("lastOutcome=fine", "lastOutcome",
        "lastOutcome must be one of: ok, invalid_key, wrong_region, forbidden, rate_limited, upstream_error, timeout, unreachable, untested.")]
    public async Task Each_bad_list_parameter_has_its_own_message(string query, string field, string message)
    {
        var errors = await Errors(await Client().GetAsync($"/v1/credentials?{query}"));

        Assert.Equal(message, errors[field]);
    }

    [Fact]
    public async Task A_query_over_200_characters_is_refused_and_one_of_200_is_not()
    {
        var client = Client();

        var errors = await Errors(await client.GetAsync($"/v1/credentials?q={new string('q', 201)}"));
        var fits = await client.GetAsync($"/v1/credentials?q={new string('q', 200)}");

        Assert.Equal("q must be at most 200 characters.", errors["q"]);
        Assert.Equal(HttpStatusCode.OK, fits.StatusCode);
    }

    [Fact]
    public async Task Every_bad_parameter_is_named_at_once()
    {
        var errors = await Errors(await Client().GetAsync("/v1/credentials?limit=500&cursor=AAAAAAAAAAAAAAAAAAAAA%2B&region=ap&lastOutcome=x"));

        Assert.Equal(["cursor", "lastOutcome", "limit", "region"], errors.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Limits_1_and_200_are_allowed_and_a_page_that_ends_the_list_has_no_cursor()
    {
        var client = Client();
        await client.CreateCredential(SharedService.NewKey(), name: "older");
        await client.CreateCredential(SharedService.NewKey(), name: "newer");

        var one = await client.GetJson("/v1/credentials?limit=1");
        var rest = await client.GetJson($"/v1/credentials?limit=1&cursor={one["nextCursor"]!.GetValue<string>()}");
        var exactly = await client.GetJson("/v1/credentials?limit=2");
        var all = await client.GetJson("/v1/credentials?limit=200");

        Assert.Equal(["newer"], Names(one));
        Assert.Equal(["older"], Names(rest));
        Assert.Null(rest["nextCursor"]);
        Assert.Equal(2, exactly["items"]!.AsArray().Count);
        Assert.Null(exactly["nextCursor"]);
        Assert.Equal(2, all["items"]!.AsArray().Count);
    }

    [Fact]
    public async Task A_cursor_past_the_oldest_credential_is_an_empty_last_page()
    {
        var client = Client();
        await client.CreateCredential(SharedService.NewKey());

        // The smallest id there is: nothing is older.
        var page = await client.GetJson("/v1/credentials?cursor=AAAAAAAAAAAAAAAAAAAAAA");

        Assert.Empty(page["items"]!.AsArray());
        Assert.Null(page["nextCursor"]);
    }

    [Fact]
    public async Task Search_treats_a_backslash_literally_and_never_matches_across_name_and_description()
    {
        var client = Client();
        await client.CreateCredential(SharedService.NewKey(), name: @"C:\exports", description: "abc");
        await client.CreateCredential(SharedService.NewKey(), name: "C:/exports", description: null);
        await client.CreateCredential(SharedService.NewKey(), name: "ends with x", description: "yz starts the description");

        Assert.Equal([@"C:\exports"], Names(await client.GetJson("/v1/credentials?q=%5C")));
        Assert.Equal([@"C:\exports"], Names(await client.GetJson("/v1/credentials?q=%3A%5Ce")));
        Assert.Empty(Names(await client.GetJson("/v1/credentials?q=xyz")));
        Assert.Equal(["ends with x"], Names(await client.GetJson("/v1/credentials?q=YZ%20STARTS")));
        Assert.Equal(3, Names(await client.GetJson("/v1/credentials?q=")).Length);
    }

    [Theory]
    [InlineData("limit=0", "limit", "limit must be between 1 and 500.")]
    [InlineData("limit=501", "limit", "limit must be between 1 and 500.")]
    [InlineData("cursor=AAAAAAAAAAAAAAAAAAAAA%2B", "cursor", "cursor is not a value this service returned as nextCursor.")]
    public async Task Each_bad_key_usage_parameter_has_its_own_message(string query, string field, string message)
    {
        var errors = await Errors(await Client().GetAsync($"/v1/admin/data-protection-keys/{Guid.NewGuid()}/credentials?{query}"));

        Assert.Equal(message, errors[field]);
    }

    [Theory]
    [InlineData("", 100)]
    [InlineData("?limit=1", 1)]
    [InlineData("?limit=500", 500)]
    public async Task The_key_usage_list_defaults_to_100_and_allows_1_to_500(string query, int limit)
    {
        var page = await Client().GetJson($"/v1/admin/data-protection-keys/{Guid.NewGuid()}/credentials{query}");

        Assert.Equal(limit, page["limit"]!.GetValue<int>());
        Assert.Empty(page["items"]!.AsArray());
        Assert.Null(page["nextCursor"]);
    }
}
