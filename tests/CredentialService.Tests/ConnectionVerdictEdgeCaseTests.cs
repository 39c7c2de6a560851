using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using CredentialService.FakeCustomerIo;
using CredentialService.Tests.Infrastructure;

namespace CredentialService.Tests;

/// <summary>
/// The edges of the verdict classification (docs/api.md §Connection tests) that mutation testing showed untested:
/// Retry-After as a date or missing, "wrong datacenter" in each body shape, redirects that are not to the other region,
/// the status ranges' boundaries and the text of each verdict's message.
/// </summary>
[Collection(SharedServiceGroup.Name)]
public sealed class ConnectionVerdictEdgeCaseTests(SharedService service)
{
    private HttpClient Client() => service.Host.ClientFor(SharedService.NewTenant());

    private async Task<JsonNode> TestUnsaved(string key, string region = "us")
    {
        var response = await Client().PostAsync("/v1/credentials/test", Api.Json(new { appApiKey = key, region }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.ReadJson();
    }

    private static string Outcome(JsonNode result) => result["outcome"]!.GetValue<string>();

    private static string Message(JsonNode result) => result["message"]!.GetValue<string>();

    private static Dictionary<string, string> Header(string name, string value) => new() { [name] = value };

    [Fact]
    public async Task Retry_after_given_as_a_date_becomes_the_seconds_until_then()
    {
        var key = SharedService.NewKey();
        var at = DateTimeOffset.UtcNow.AddSeconds(40);
        service.Us.Respond(key, new FakeReply(429, null, Header("Retry-After", at.ToString("R", CultureInfo.InvariantCulture))));

        var result = await TestUnsaved(key);

        Assert.Equal("rate_limited", Outcome(result));
        // The date has a resolution of one second and the exchange takes a moment (longer on a loaded machine).
        var seconds = result["retryAfterSeconds"]!.GetValue<int>();
        Assert.InRange(seconds, 25, 41);
        Assert.EndsWith($"Try again in {seconds} seconds.", Message(result));
    }

    [Fact]
    public async Task Retry_after_date_in_the_past_is_zero_seconds_not_negative()
    {
        var key = SharedService.NewKey();
        var past = DateTimeOffset.UtcNow.AddMinutes(-5);
        service.Us.Respond(key, new FakeReply(429, null, Header("Retry-After", past.ToString("R", CultureInfo.InvariantCulture))));

        var result = await TestUnsaved(key);

        Assert.Equal("rate_limited", Outcome(result));
        Assert.Equal(0, result["retryAfterSeconds"]!.GetValue<int>());
    }

    [Fact]
    public async Task Rate_limited_without_retry_after_says_a_few_seconds_and_names_the_shared_limit()
    {
        var key = SharedService.NewKey();
        service.Us.Respond(key, new FakeReply(429, """{"errors":[{"detail":"rate limited"}]}"""));

        var result = await TestUnsaved(key);

        Assert.Equal("rate_limited", Outcome(result));
        Assert.Null(result["retryAfterSeconds"]);
        Assert.Null(result["suggestedRegion"]);
        Assert.False(result["success"]!.GetValue<bool>());
        Assert.Equal(
            "Customer.io is rate limiting this workspace (10 requests per second, shared with your own traffic). " +
            "Try again in a few seconds.", Message(result));
    }

    [Theory]
    [InlineData("""<html><body><h1>401</h1><p>Wrong datacenter for this key</p></body></html>""")]
    [InlineData("""{"errors":[{"detail":"wrong datacenter","status":"401"}]}""")]
    [InlineData("""{"errors":["not an object",{"status":"401"},{"detail":42},{"detail":"Wrong Datacenter"}]}""")]
    [InlineData("""{"meta":{"error":"wrong datacenter"}}""")]
    public async Task A_401_saying_wrong_datacenter_in_any_body_shape_is_wrong_region_without_a_probe(string body)
    {
        var key = SharedService.NewKey();
        service.Us.Respond(key, new FakeReply(401, body));

        var result = await TestUnsaved(key);

        Assert.Equal("wrong_region", Outcome(result));
        Assert.Equal("eu", result["suggestedRegion"]!.GetValue<string>());
        Assert.Equal(401, result["upstreamStatus"]!.GetValue<int>());
        Assert.Equal(
            "Customer.io answered that this key belongs to the other data center: the EU region (api-eu.customer.io). " +
            "Change the credential's region to eu.", Message(result));
        Assert.Empty(service.Eu.RequestsWithKey(key)); // the answer said so: no probe needed
    }

    [Theory]
    [InlineData("""["wrong datacenter"]""")]
    [InlineData("""{"errors":{"detail":"wrong datacenter"}}""")]
    [InlineData("""{"errors":[{"title":"wrong datacenter"}]}""")]
    [InlineData("""{"meta":"wrong datacenter"}""")]
    [InlineData("""{"meta":{"error":["wrong datacenter"]}}""")]
    [InlineData("""{"message":"unauthorized"}""")]
    [InlineData("""<html>Unauthorized</html>""")]
    public async Task A_401_whose_body_does_not_say_wrong_datacenter_where_customer_io_puts_it_is_probed(string body)
    {
        var key = SharedService.NewKey();
        service.Us.Respond(key, new FakeReply(401, body));

        var result = await TestUnsaved(key);

        Assert.Equal("invalid_key", Outcome(result));
        Assert.Null(result["suggestedRegion"]);
        Assert.Single(service.Eu.RequestsWithKey(key));
    }

    [Fact]
    public async Task Invalid_key_message_names_both_regions_and_what_to_check()
    {
        var key = SharedService.NewKey();

        var result = await TestUnsaved(key, "eu");

        Assert.Equal("invalid_key", Outcome(result));
        Assert.Equal("eu", result["region"]!.GetValue<string>());
        Assert.Equal(
            "Customer.io rejected the key in the EU region (api-eu.customer.io) and in the US region (api.customer.io) " +
            "(HTTP 401). Check that it is an App API Key (not a Tracking API key or a service-account token), that it was " +
            "copied completely, and that it has not been deleted in Customer.io. If the workspace's region is right, " +
            "create a new App API Key.", Message(result));
        Assert.Single(service.Eu.RequestsWithKey(key));
        Assert.Single(service.Us.RequestsWithKey(key));
    }

    [Fact]
    public async Task Eu_key_valid_in_the_us_is_wrong_region_suggesting_us()
    {
        var key = SharedService.NewKey();
        service.Us.Respond(key, FakeReply.Ok());

        var result = await TestUnsaved(key, "eu");

        Assert.Equal("wrong_region", Outcome(result));
        Assert.Equal("us", result["suggestedRegion"]!.GetValue<string>());
        Assert.Equal("api-eu.customer.io", result["apiDomain"]!.GetValue<string>());
        Assert.Equal("The key is valid in the US region (api.customer.io). Change the credential's region to us.", Message(result));
    }

    [Fact]
    public async Task A_probe_that_times_out_means_not_shown_to_work_there()
    {
        var key = SharedService.NewKey();
        service.Eu.Respond(key, FakeReply.Ok() with { Delay = TimeSpan.FromSeconds(30) });

        var result = await TestUnsaved(key);

        // The one budget (CustomerIo:TimeoutSeconds = 3 in tests) covers the probe too: a probe that does not answer
        // leaves the first answer's verdict.
        Assert.Equal("invalid_key", Outcome(result));
    }

    [Fact]
    public async Task Ok_message_names_the_region_and_any_2xx_is_ok()
    {
        var key = SharedService.NewKey();
        service.Us.Respond(key, FakeReply.Ok());
        var noContent = SharedService.NewKey();
        service.Us.Respond(noContent, new FakeReply(204));

        var ok = await TestUnsaved(key);
        var empty = await TestUnsaved(noContent);

        Assert.Equal("The key works in the US region (api.customer.io).", Message(ok));
        Assert.Equal(FakeReply.WorkspaceName, Assert.Single(ok["workspaces"]!.AsArray())!["name"]!.GetValue<string>());
        // Customer.io is asked for JSON.
        Assert.Equal("application/json", Assert.Single(service.Us.RequestsWithKey(key)).Headers["Accept"]);
        Assert.Equal("ok", Outcome(empty));
        Assert.True(empty["success"]!.GetValue<bool>());
        Assert.Equal(204, empty["upstreamStatus"]!.GetValue<int>());
        Assert.Null(empty["workspaces"]);
    }

    [Fact]
    public async Task A_cookie_Customer_io_sets_is_never_sent_back_by_a_later_test()
    {
        // One HttpClient handler serves every tenant's tests: a cookie container would carry one tenant's session
        // cookie into another tenant's call.
        var first = SharedService.NewKey();
        service.Us.Respond(first, new FakeReply(200, """{"workspaces":[]}""", Header("Set-Cookie", "session=tenant-a; Path=/")));
        var second = SharedService.NewKey();
        service.Us.Respond(second, FakeReply.Ok());

        Assert.Equal("ok", Outcome(await TestUnsaved(first)));
        Assert.Equal("ok", Outcome(await TestUnsaved(second)));

        Assert.False(Assert.Single(service.Us.RequestsWithKey(second)).Headers!.ContainsKey("Cookie"));
    }

    [Fact]
    public async Task A_workspace_name_or_id_longer_than_200_characters_is_cut_to_200()
    {
        var key = SharedService.NewKey();
        var name = new string('n', 200) + "-cut";
        service.Us.Respond(key, new FakeReply(200, $$"""{"workspaces":[{"id":"{{new string('7', 205)}}","name":"{{name}}"},{"id":42,"name":"{{new string('m', 200)}}"}]}"""));

        var workspaces = (await TestUnsaved(key))["workspaces"]!.AsArray();

        Assert.Equal(new string('n', 200), workspaces[0]!["name"]!.GetValue<string>());
        Assert.Equal(new string('7', 200), workspaces[0]!["id"]!.GetValue<string>());
        Assert.Equal(new string('m', 200), workspaces[1]!["name"]!.GetValue<string>()); // exactly 200: kept whole
        Assert.Equal("42", workspaces[1]!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Status_300_without_a_location_is_an_upstream_error_saying_no_location()
    {
        var key = SharedService.NewKey();
        service.Us.Respond(key, new FakeReply(300, """{"workspaces":[]}"""));

        var result = await TestUnsaved(key);

        Assert.Equal("upstream_error", Outcome(result));
        Assert.False(result["success"]!.GetValue<bool>());
        Assert.Equal(300, result["upstreamStatus"]!.GetValue<int>());
        Assert.Equal(
            "Customer.io answered with a redirect (HTTP 300) to no location. It was not followed, so the key was not " +
            "sent to a host nobody chose. Try again later.", Message(result));
    }

    [Fact]
    public async Task Status_300_whose_body_says_wrong_datacenter_is_wrong_region()
    {
        var key = SharedService.NewKey();
        service.Us.Respond(key, new FakeReply(300, """{"errors":[{"detail":"wrong datacenter"}]}"""));

        var result = await TestUnsaved(key);

        Assert.Equal("wrong_region", Outcome(result));
        Assert.Equal(300, result["upstreamStatus"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_relative_redirect_stays_on_the_same_host_and_is_not_the_other_region()
    {
        // Both fakes listen on 127.0.0.1: only the port tells the EU base URL from the US one.
        var key = SharedService.NewKey();
        service.Us.Respond(key, new FakeReply(302, null, Header("Location", "/v2/workspaces")));

        var result = await TestUnsaved(key);

        Assert.Equal("upstream_error", Outcome(result));
        Assert.Contains("(HTTP 302) to 127.0.0.1.", Message(result));
        Assert.Single(service.Us.RequestsWithKey(key));
        Assert.Empty(service.Eu.RequestsWithKey(key));
    }

    [Theory]
    [InlineData("https://beta-api-eu.customer.io/v1/workspaces", "wrong_region")]
    [InlineData("https://api-eu.customer.io/v1/workspaces", "wrong_region")]
    [InlineData("https://api-eu.notcustomer.io/v1/workspaces", "upstream_error")]
    [InlineData("https://evil-eu.example.com/v1/workspaces", "upstream_error")]
    [InlineData("https://api.customer.io/v1/workspaces", "upstream_error")]
    [InlineData("https://eu.customer.io.example.com/v1/workspaces", "upstream_error")]
    public async Task A_us_key_redirected_is_wrong_region_only_to_a_customer_io_eu_host(string location, string outcome)
    {
        var key = SharedService.NewKey();
        service.Us.Respond(key, new FakeReply(301, null, Header("Location", location)));

        var result = await TestUnsaved(key);

        Assert.Equal(outcome, Outcome(result));
        if (outcome == "wrong_region")
        {
            Assert.Equal("eu", result["suggestedRegion"]!.GetValue<string>());
            Assert.Equal(
                "Customer.io answered that this key belongs to the EU region (api-eu.customer.io). " +
                "Change the credential's region to eu.", Message(result));
        }
        else
        {
            Assert.Null(result["suggestedRegion"]);
            Assert.Contains($"to {new Uri(location).Host}.", Message(result));
        }
    }

    [Fact]
    public async Task An_eu_key_redirected_to_the_configured_us_base_url_is_wrong_region_but_to_an_eu_looking_host_is_not()
    {
        var toUs = SharedService.NewKey();
        service.Eu.Respond(toUs, new FakeReply(307, null, Header("Location", new Uri(service.Us.BaseUrl, "v1/workspaces").ToString())));
        var toEuLooking = SharedService.NewKey();
        service.Eu.Respond(toEuLooking, new FakeReply(307, null, Header("Location", "https://beta-api-eu.customer.io/v1/workspaces")));

        var us = await TestUnsaved(toUs, "eu");
        var euLooking = await TestUnsaved(toEuLooking, "eu");

        Assert.Equal("wrong_region", Outcome(us));
        Assert.Equal("us", us["suggestedRegion"]!.GetValue<string>());
        Assert.Equal("upstream_error", Outcome(euLooking));
        Assert.Empty(service.Us.RequestsWithKey(toUs));
    }

    [Fact]
    public async Task A_400_with_a_location_to_the_other_region_is_not_a_redirect()
    {
        var key = SharedService.NewKey();
        service.Us.Respond(key, new FakeReply(400, """{"errors":[{"detail":"wrong datacenter"}]}""",
            Header("Location", new Uri(service.Eu.BaseUrl, "v1/workspaces").ToString())));

        var result = await TestUnsaved(key);

        Assert.Equal("upstream_error", Outcome(result));
        Assert.Equal(
            "Customer.io answered with HTTP 400 (US region (api.customer.io)): the problem is on Customer.io's side, " +
            "not with the key. Try again later and check status.customer.io.", Message(result));
    }

    [Fact]
    public async Task A_399_is_still_a_redirect()
    {
        var key = SharedService.NewKey();
        service.Us.Respond(key, new FakeReply(399, null, Header("Location", new Uri(service.Eu.BaseUrl, "v1/workspaces").ToString())));

        var result = await TestUnsaved(key);

        Assert.Equal("wrong_region", Outcome(result));
    }

    [Fact]
    public async Task Forbidden_message_names_the_region_permission_and_allowlist()
    {
        var key = SharedService.NewKey();
        service.Eu.Respond(key, new FakeReply(403, """{"errors":[{"detail":"wrong datacenter"}]}"""));

        var result = await TestUnsaved(key, "eu");

        Assert.Equal("forbidden", Outcome(result));
        Assert.Null(result["suggestedRegion"]);
        Assert.Equal(403, result["upstreamStatus"]!.GetValue<int>());
        Assert.Equal(
            "Customer.io recognised the key but refused access (HTTP 403, EU region (api-eu.customer.io)): the key may lack " +
            "the permission to read workspaces, or this service's IP address is not on the workspace's IP allowlist. " +
            "Check the key's access and the allowlist in Customer.io.", Message(result));
    }

    [Fact]
    public async Task Timeout_message_names_the_budget_and_the_region()
    {
        var key = SharedService.NewKey();
        service.Eu.Respond(key, FakeReply.Ok() with { Delay = TimeSpan.FromSeconds(30) });

        var result = await TestUnsaved(key, "eu");

        Assert.Equal("timeout", Outcome(result));
        Assert.False(result["success"]!.GetValue<bool>());
        Assert.Null(result["retryAfterSeconds"]);
        Assert.Equal(
            "Customer.io did not answer within 3 seconds (EU region (api-eu.customer.io)). Try again; if it keeps " +
            "happening, check status.customer.io and this service's network path to Customer.io.", Message(result));
    }
}
