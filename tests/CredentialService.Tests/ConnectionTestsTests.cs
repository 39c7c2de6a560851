using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using CredentialService.FakeCustomerIo;
using CredentialService.Tests.Infrastructure;

namespace CredentialService.Tests;

/// <summary>Each verdict of docs/api.md §Connection tests, produced by a real HTTP exchange with the fake Customer.io.</summary>
[Collection(SharedServiceGroup.Name)]
public sealed class ConnectionTestsTests(SharedService service)
{
    private HttpClient Client() => service.Host.ClientFor(SharedService.NewTenant());

    private static async Task<JsonNode> TestUnsaved(HttpClient client, string key, string region = "us")
    {
        var response = await client.PostAsync("/v1/credentials/test", Api.Json(new { appApiKey = key, region }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.ReadJson();
    }

    [Fact]
    public async Task Valid_key_is_ok_and_sent_as_bearer_to_v1_workspaces_of_its_region_only()
    {
        var key = SharedService.NewKey();
        service.Us.Respond(key, FakeReply.Ok());

        var result = await TestUnsaved(Client(), "  " + key + " ");

        Assert.True(result["success"]!.GetValue<bool>());
        Assert.Equal("ok", result["outcome"]!.GetValue<string>());
        Assert.Equal("us", result["region"]!.GetValue<string>());
        Assert.Equal("api.customer.io", result["apiDomain"]!.GetValue<string>());
        Assert.Equal(200, result["upstreamStatus"]!.GetValue<int>());
        Assert.Null(result["suggestedRegion"]);
        Assert.True(result["latencyMs"]!.GetValue<long>() >= 0);
        var request = Assert.Single(service.Us.RequestsWithKey(key));
        Assert.Equal("GET", request.Method);
        Assert.Equal("/v1/workspaces", request.PathAndQuery);
        Assert.Equal($"Bearer {key}", request.Authorization);
        Assert.Empty(service.Eu.RequestsWithKey(key));
    }

    [Fact]
    public async Task Eu_credential_goes_only_to_the_eu_server()
    {
        var key = SharedService.NewKey();
        service.Eu.Respond(key, FakeReply.Ok());

        var result = await TestUnsaved(Client(), key, "api-eu.customer.io");

        Assert.Equal("ok", result["outcome"]!.GetValue<string>());
        Assert.Equal("api-eu.customer.io", result["apiDomain"]!.GetValue<string>());
        Assert.Single(service.Eu.RequestsWithKey(key));
        Assert.Empty(service.Us.RequestsWithKey(key));
    }

    [Fact]
    public async Task Key_rejected_in_both_regions_is_invalid_key_after_exactly_one_probe()
    {
        var key = SharedService.NewKey(); // unknown to both fakes: 401 with Customer.io's error body

        var result = await TestUnsaved(Client(), key);

        Assert.False(result["success"]!.GetValue<bool>());
        Assert.Equal("invalid_key", result["outcome"]!.GetValue<string>());
        Assert.Equal(401, result["upstreamStatus"]!.GetValue<int>());
        var message = result["message"]!.GetValue<string>();
        Assert.Contains("App API Key", message);
        Assert.Contains("EU region", message);
        Assert.DoesNotContain(key, message);
        Assert.Single(service.Us.RequestsWithKey(key));
        Assert.Single(service.Eu.RequestsWithKey(key));
        Assert.True(service.Us.RequestsWithKey(key)[0].At <= service.Eu.RequestsWithKey(key)[0].At);
    }

    [Fact]
    public async Task Key_valid_in_the_other_region_is_wrong_region_with_the_region_to_switch_to()
    {
        var key = SharedService.NewKey();
        service.Eu.Respond(key, FakeReply.Ok());

        var result = await TestUnsaved(Client(), key, "us");

        Assert.False(result["success"]!.GetValue<bool>());
        Assert.Equal("wrong_region", result["outcome"]!.GetValue<string>());
        Assert.Equal("eu", result["suggestedRegion"]!.GetValue<string>());
        Assert.Equal("us", result["region"]!.GetValue<string>());
        Assert.Equal(401, result["upstreamStatus"]!.GetValue<int>());
        Assert.Contains("Change the credential's region to eu", result["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Older_error_body_shape_is_understood_too()
    {
        var key = SharedService.NewKey();
        service.Us.Respond(key, new FakeReply(401, """{"meta":{"error":"Unauthorized request"}}"""));
        var result = await TestUnsaved(Client(), key);
        Assert.Equal("invalid_key", result["outcome"]!.GetValue<string>());
    }

    [Fact]
    public async Task Redirect_to_the_eu_datacenter_is_wrong_region_and_is_not_followed()
    {
        await using var elsewhere = await FakeCustomerIoServer.StartAsync("redirect-target");
        var key = SharedService.NewKey();
        service.Us.Respond(key, new FakeReply(301, """{"errors":[{"detail":"wrong datacenter","status":"301"}]}""",
            new Dictionary<string, string> { ["Location"] = "https://beta-api-eu.customer.io/v1/workspaces" }));
        var followed = SharedService.NewKey();
        service.Us.Respond(followed, new FakeReply(302, null,
            new Dictionary<string, string> { ["Location"] = new Uri(elsewhere.BaseUrl, "v1/workspaces").ToString() }));

        var result = await TestUnsaved(Client(), key);
        var other = await TestUnsaved(Client(), followed);

        Assert.Equal("wrong_region", result["outcome"]!.GetValue<string>());
        Assert.Equal("eu", result["suggestedRegion"]!.GetValue<string>());
        Assert.Equal(301, result["upstreamStatus"]!.GetValue<int>());
        Assert.Equal("upstream_error", other["outcome"]!.GetValue<string>());
        Assert.Equal(302, other["upstreamStatus"]!.GetValue<int>());
        Assert.Contains("not followed", other["message"]!.GetValue<string>());
        Assert.Empty(elsewhere.Requests);
        Assert.Empty(service.Eu.RequestsWithKey(key));
    }

    [Fact]
    public async Task Redirect_to_the_configured_eu_base_url_or_saying_wrong_datacenter_is_wrong_region()
    {
        var toEu = SharedService.NewKey();
        service.Us.Respond(toEu, new FakeReply(307, null,
            new Dictionary<string, string> { ["Location"] = new Uri(service.Eu.BaseUrl, "v1/workspaces").ToString() }));
        var saysSo = SharedService.NewKey();
        service.Us.Respond(saysSo, new FakeReply(301, """{"errors":[{"detail":"wrong datacenter"}]}"""));

        Assert.Equal("wrong_region", (await TestUnsaved(Client(), toEu))["outcome"]!.GetValue<string>());
        Assert.Equal("wrong_region", (await TestUnsaved(Client(), saysSo))["outcome"]!.GetValue<string>());
        Assert.Empty(service.Eu.RequestsWithKey(toEu));
    }

    [Fact]
    public async Task Forbidden_is_scope_or_ip_allowlist()
    {
        var key = SharedService.NewKey();
        service.Us.Respond(key, new FakeReply(403, """{"errors":[{"detail":"forbidden"}]}"""));
        var result = await TestUnsaved(Client(), key);
        Assert.Equal("forbidden", result["outcome"]!.GetValue<string>());
        Assert.Contains("allowlist", result["message"]!.GetValue<string>());
        Assert.Empty(service.Eu.RequestsWithKey(key));
    }

    [Fact]
    public async Task Rate_limited_upstream_reports_retry_after()
    {
        var key = SharedService.NewKey();
        service.Us.Respond(key, new FakeReply(429, null, new Dictionary<string, string> { ["Retry-After"] = "7" }));
        var result = await TestUnsaved(Client(), key);
        Assert.Equal("rate_limited", result["outcome"]!.GetValue<string>());
        Assert.Equal(7, result["retryAfterSeconds"]!.GetValue<int>());
        Assert.Equal(429, result["upstreamStatus"]!.GetValue<int>());
        Assert.Contains("7 seconds", result["message"]!.GetValue<string>());
        Assert.Single(service.Us.RequestsWithKey(key)); // no retry spends the customer's budget
    }

    [Theory]
    [InlineData(500)]
    [InlineData(503)]
    [InlineData(404)]
    public async Task Other_answers_are_upstream_error(int status)
    {
        var key = SharedService.NewKey();
        service.Us.Respond(key, new FakeReply(status, "oops"));
        var result = await TestUnsaved(Client(), key);
        Assert.Equal("upstream_error", result["outcome"]!.GetValue<string>());
        Assert.Equal(status, result["upstreamStatus"]!.GetValue<int>());
        Assert.Single(service.Us.RequestsWithKey(key));
    }

    [Fact]
    public async Task No_answer_within_the_timeout_is_timeout_and_returns_within_timeout_plus_one_second()
    {
        var key = SharedService.NewKey();
        service.Us.Respond(key, FakeReply.Ok() with { Delay = TimeSpan.FromSeconds(30) });

        var watch = Stopwatch.StartNew();
        var result = await TestUnsaved(Client(), key);
        watch.Stop();

        Assert.Equal("timeout", result["outcome"]!.GetValue<string>());
        Assert.Null(result["upstreamStatus"]);
        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(2.5), TimeSpan.FromSeconds(3 + 1)); // CustomerIo:TimeoutSeconds = 3 in tests
    }

    [Fact]
    public async Task Unsaved_test_stores_nothing()
    {
        var tenant = SharedService.NewTenant();
        var client = service.Host.ClientFor(tenant);
        var key = SharedService.NewKey();
        service.Us.Respond(key, FakeReply.Ok());

        await TestUnsaved(client, key);

        Assert.Empty((await client.GetJson("/v1/credentials"))["items"]!.AsArray());
        await using var db = new Npgsql.NpgsqlConnection(service.Host.ConnectionString);
        await db.OpenAsync();
        await using var count = new Npgsql.NpgsqlCommand(
            "SELECT (SELECT count(*) FROM credentials WHERE tenant_id = @t) + (SELECT count(*) FROM credential_events WHERE tenant_id = @t)", db);
        count.Parameters.AddWithValue("t", tenant);
        Assert.Equal(0L, (long)(await count.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task Unsaved_test_applies_the_input_rules()
    {
        var response = await Client().PostAsync("/v1/credentials/test", Api.Json(new { appApiKey = "sa_live_0123456789abcdef", region = "us" }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("appApiKey", await response.ErrorKeys());
        var badRegion = await Client().PostAsync("/v1/credentials/test", Api.Json(new { appApiKey = SharedService.NewKey(), region = "http://127.0.0.1:1" }));
        Assert.Contains("region", await badRegion.ErrorKeys());
    }

    [Fact]
    public async Task Stored_test_uses_the_stored_key_and_region_and_becomes_last_test()
    {
        var client = Client();
        var key = SharedService.NewKey();
        service.Eu.Respond(key, FakeReply.Ok());
        var created = await client.CreateCredential(key, region: "eu");
        var id = created["id"]!.GetValue<Guid>();

        var response = await client.PostAsync($"/v1/credentials/{id}/test", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.ReadJson();
        Assert.Equal("ok", result["outcome"]!.GetValue<string>());
        Assert.Equal($"Bearer {key}", Assert.Single(service.Eu.RequestsWithKey(key)).Authorization);
        var read = await client.GetJson($"/v1/credentials/{id}");
        Assert.Equal(result.ToJsonString(), read["lastTest"]!.ToJsonString());
        var listed = await client.GetJson("/v1/credentials");
        Assert.Equal("ok", listed["items"]![0]!["lastTest"]!["outcome"]!.GetValue<string>());
        Assert.NotEqual(created["version"]!.GetValue<string>(), read["version"]!.GetValue<string>());
        Assert.Equal($"\"{read["version"]!.GetValue<string>()}\"", response.Headers.ETag!.Tag); // the version lastTest made
    }

    [Fact]
    public async Task Stored_test_of_an_unknown_credential_is_404()
    {
        var response = await Client().PostAsync($"/v1/credentials/{Guid.CreateVersion7()}/test", null);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Tests_are_rate_limited_per_tenant_and_one_tenants_burst_does_not_block_another()
    {
        var busy = Client();
        var key = SharedService.NewKey();
        service.Us.Respond(key, FakeReply.Ok());

        var burst = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ =>
            busy.PostAsync("/v1/credentials/test", Api.Json(new { appApiKey = key, region = "us" }))));
        var quiet = await Client().PostAsync("/v1/credentials/test", Api.Json(new { appApiKey = key, region = "us" }));

        var limited = burst.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(limited);
        Assert.InRange(burst.Count(r => r.StatusCode == HttpStatusCode.OK), 5, 10); // 5 per second; the window may roll over once
        Assert.Equal("application/problem+json", limited[0].Content.Headers.ContentType?.MediaType);
        Assert.True(limited[0].Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.OK, quiet.StatusCode);
    }
}
