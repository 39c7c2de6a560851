using System.Net;
using System.Net.Http.Headers;
using System.Text;
using CredentialService.FakeCustomerIo;
using CredentialService.Tests.Infrastructure;

namespace CredentialService.Tests.Proxy;

/// <summary>
/// The proxy over real sockets against the fake Customer.io: what is sent, where, with which headers, and what comes
/// back (DESIGN §8).
/// </summary>
public sealed class ProxyForwardingTests : IsolatedServiceTest
{
    public static readonly string[] ProxyScopes = ["credentials:read", "credentials:write", "credentials:proxy"];

    private async Task<(HttpClient Client, Guid Id, string Key)> Credential(string region = "us", ServiceHost? host = null)
    {
        var client = (host ?? Host).KestrelClientFor(SharedService.NewTenant(), ProxyScopes);
        var key = SharedService.NewKey();
        var created = await client.CreateCredential(key, region);
        return (client, created["id"]!.GetValue<Guid>(), key);
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("PATCH")]
    [InlineData("DELETE")]
    public async Task Every_method_is_forwarded_exactly_and_the_answer_comes_back_as_it_came(string method)
    {
        var (client, id, key) = await Credential();
        Us.Respond(key, new FakeReply(207, """{"answer":"from customer.io"}""",
            new Dictionary<string, string> { ["X-Request-Id"] = "cio-123", ["Retry-After"] = "3", ["Cache-Control"] = "private" }));

        var request = new HttpRequestMessage(new HttpMethod(method), $"/v1/credentials/{id}/proxy/v1/customers/42/attributes?filter=a%20b&x=1");
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Add("X-Custom", "kept");
        if (method != "GET") request.Content = new StringContent("""{"name":"Jane"}""", Encoding.UTF8, "application/json");
        var response = await client.SendAsync(request);

        Assert.Equal(207, (int)response.StatusCode);
        Assert.Equal("""{"answer":"from customer.io"}""", await response.Content.ReadAsStringAsync());
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("cio-123", response.Headers.GetValues("X-Request-Id").Single());
        Assert.Equal("3", response.Headers.GetValues("Retry-After").Single());
        Assert.Equal("upstream", response.Headers.GetValues("X-Credential-Proxy").Single());

        var sent = Assert.Single(Us.RequestsWithKey(key));
        Assert.Equal(method, sent.Method);
        Assert.Equal("/v1/customers/42/attributes", sent.Path);
        Assert.Equal("?filter=a%20b&x=1", sent.Query);
        Assert.Equal($"Bearer {key}", sent.Authorization);
        Assert.Equal("kept", sent.Headers["X-Custom"]);
        Assert.Equal("application/json", sent.Headers["Accept"]);
        Assert.Equal(Us.BaseUrl.Authority, sent.Host);
        if (method != "GET")
        {
            Assert.Equal("""{"name":"Jane"}""", Encoding.UTF8.GetString(sent.Body));
            Assert.StartsWith("application/json", sent.Headers["Content-Type"]);
        }

        Assert.Empty(Eu.Requests);
    }

    [Fact]
    public async Task An_eu_credential_goes_only_to_the_eu_region_and_a_us_one_only_to_the_us_region()
    {
        var (euClient, euId, euKey) = await Credential("eu");
        Eu.Respond(euKey, FakeReply.Ok());
        var (usClient, usId, usKey) = await Credential("us");
        Us.Respond(usKey, FakeReply.Ok());

        Assert.Equal(HttpStatusCode.OK, (await euClient.GetAsync($"/v1/credentials/{euId}/proxy/v1/workspaces")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await usClient.GetAsync($"/v1/credentials/{usId}/proxy/v1/workspaces")).StatusCode);

        Assert.Single(Eu.RequestsWithKey(euKey));
        Assert.Empty(Us.RequestsWithKey(euKey));
        Assert.Single(Us.RequestsWithKey(usKey));
        Assert.Empty(Eu.RequestsWithKey(usKey));
    }

    [Fact]
    public async Task The_callers_credentials_forwarding_and_trace_headers_never_reach_customer_io_and_cookies_never_come_back()
    {
        var (client, id, key) = await Credential();
        Us.Respond(key, new FakeReply(200, "{}", new Dictionary<string, string> { ["Set-Cookie"] = "session=abc; Path=/", ["X-Kept"] = "yes" }));

        var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/credentials/{id}/proxy/v1/customers/42");
        request.Headers.Add("Cookie", "ours=secret");
        request.Headers.Add("Forwarded", "for=10.0.0.1;proto=https");
        request.Headers.Add("X-Forwarded-For", "10.0.0.1");
        request.Headers.Add("X-Forwarded-Host", "internal.example");
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("Proxy-Authorization", "Basic c2VjcmV0");
        request.Headers.Add("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        request.Headers.Add("tracestate", "ours=1");
        request.Headers.Add("baggage", "tenant=acme");
        var callerToken = client.DefaultRequestHeaders.Authorization!.Parameter!;
        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Set-Cookie"));
        Assert.Equal("yes", response.Headers.GetValues("X-Kept").Single());
        var sent = Assert.Single(Us.RequestsWithKey(key));
        Assert.Equal($"Bearer {key}", sent.Headers["Authorization"]);
        foreach (var name in sent.Headers.Keys)
        {
            Assert.False(name.StartsWith("X-Forwarded", StringComparison.OrdinalIgnoreCase), name);
            Assert.False(name.StartsWith("Proxy-", StringComparison.OrdinalIgnoreCase), name);
            Assert.DoesNotContain(name, (string[])["Cookie", "Forwarded", "traceparent", "tracestate", "baggage", "Request-Id"], StringComparer.OrdinalIgnoreCase);
        }

        Assert.DoesNotContain(sent.Headers.Values, v => v.Contains(callerToken, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("v1/customers/../workspaces")]
    [InlineData("v1/./customers")]
    [InlineData("v1/customers//42")]
    [InlineData("v1/customers/42\\attributes")]
    [InlineData("v1/customers%2F42")]
    [InlineData("v1/customers/%2E%2E/admin")]
    [InlineData("v1/customers/%2e")]
    [InlineData("v1/customers/42%5Cx")]
    [InlineData("v2/customers")]
    [InlineData("customers/42")]
    [InlineData("v1/https://evil.example/v1/customers")]
    [InlineData("//evil.example/v1/customers")]
    [InlineData("http://evil.example/v1")]
    public async Task A_refused_path_form_is_a_400_problem_and_sends_nothing(string path)
    {
        var (_, id, key) = await Credential();
        Us.Respond(key, FakeReply.Ok());
        var answer = await RawHttp.SendAsync(Host.KestrelUrl!, "GET", $"/v1/credentials/{id}/proxy/{path}", await OwnerToken(id));

        Assert.Equal(400, answer.Status);
        Assert.Contains("proxy-path-invalid", answer.Body);
        Assert.Contains("X-Credential-Proxy: service", answer.Head, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(Us.Requests);
        Assert.Empty(Eu.Requests);
    }

    [Fact]
    public async Task A_target_that_only_becomes_a_proxy_path_once_dot_segments_are_resolved_is_refused()
    {
        var (_, id, key) = await Credential();
        Us.Respond(key, FakeReply.Ok());

        var answer = await RawHttp.SendAsync(Host.KestrelUrl!, "GET", $"/v1/credentials/{id}/events/../proxy/v1/workspaces", await OwnerToken(id));

        Assert.Equal(400, answer.Status);
        Assert.Contains("proxy-path-invalid", answer.Body);
        Assert.Empty(Us.Requests);
    }

    [Fact]
    public async Task A_redirect_is_a_502_naming_the_location_host_and_the_location_receives_nothing()
    {
        var (client, id, key) = await Credential();
        Us.Respond(key, new FakeReply(301, """{"errors":[{"detail":"wrong datacenter"}]}""",
            new Dictionary<string, string> { ["Location"] = new Uri(Eu.BaseUrl, "/v1/customers/42").ToString() }));
        var (otherClient, otherId, otherKey) = await Credential();
        Us.Respond(otherKey, new FakeReply(302, null, new Dictionary<string, string> { ["Location"] = "https://elsewhere.example/x" }));

        var toEu = await client.GetAsync($"/v1/credentials/{id}/proxy/v1/customers/42");
        var elsewhere = await otherClient.GetAsync($"/v1/credentials/{otherId}/proxy/v1/customers/42");

        Assert.Equal(HttpStatusCode.BadGateway, toEu.StatusCode);
        Assert.Equal("service", toEu.Headers.GetValues("X-Credential-Proxy").Single());
        var problem = await toEu.ReadJson();
        Assert.EndsWith("proxy-upstream-redirect", problem["type"]!.GetValue<string>());
        Assert.Contains(Eu.BaseUrl.Host, problem["detail"]!.GetValue<string>());
        Assert.Contains("region", problem["detail"]!.GetValue<string>());
        Assert.True(problem["wrongRegion"]!.GetValue<bool>());
        Assert.Empty(Eu.Requests);

        Assert.Equal(HttpStatusCode.BadGateway, elsewhere.StatusCode);
        var other = await elsewhere.ReadJson();
        Assert.Contains("elsewhere.example", other["detail"]!.GetValue<string>());
        Assert.False(other["wrongRegion"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_customer_io_429_is_returned_and_pauses_the_credentials_bucket_on_every_instance()
    {
        var first = StartHost(new Dictionary<string, string?> { ["Proxy:MaxQueueSeconds"] = "0" });
        var second = StartHost(new Dictionary<string, string?> { ["Proxy:MaxQueueSeconds"] = "0" });
        var (client, id, key) = await Credential(host: first);
        Us.Respond(key, new FakeReply(429, """{"meta":{"error":"rate limited"}}""", new Dictionary<string, string> { ["Retry-After"] = "2" }));
        var tenantToken = client.DefaultRequestHeaders.Authorization!.Parameter!;
        var secondClient = second.KestrelClientFor("unused", ProxyScopes);
        secondClient.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tenantToken);

        var limited = await client.GetAsync($"/v1/credentials/{id}/proxy/v1/customers/42");
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("upstream", limited.Headers.GetValues("X-Credential-Proxy").Single());
        Assert.Equal("2", limited.Headers.GetValues("Retry-After").Single());
        Assert.Contains("rate limited", await limited.Content.ReadAsStringAsync());

        Us.Respond(key, FakeReply.Ok());
        var paused = await secondClient.GetAsync($"/v1/credentials/{id}/proxy/v1/customers/42");
        Assert.Equal(HttpStatusCode.TooManyRequests, paused.StatusCode);
        Assert.Equal("service", paused.Headers.GetValues("X-Credential-Proxy").Single());
        Assert.True(int.Parse(paused.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) is >= 1 and <= 2);
        Assert.EndsWith("proxy-rate-limited", (await paused.ReadJson())["type"]!.GetValue<string>());
        Assert.Single(Us.RequestsWithKey(key));

        await Task.Delay(TimeSpan.FromSeconds(2.2));
        Assert.Equal(HttpStatusCode.OK, (await secondClient.GetAsync($"/v1/credentials/{id}/proxy/v1/customers/42")).StatusCode);
        Assert.Equal(2, Us.RequestsWithKey(key).Count);
    }

    [Fact]
    public async Task A_body_over_the_limit_is_a_413_and_sends_nothing()
    {
        var host = StartHost(new Dictionary<string, string?> { ["Proxy:MaxRequestBytes"] = "1000" });
        var (client, id, key) = await Credential(host: host);
        Us.Respond(key, FakeReply.Ok());

        var small = await client.PostAsync($"/v1/credentials/{id}/proxy/v1/customers/42/events", new ByteArrayContent(new byte[900]));
        var large = await client.PostAsync($"/v1/credentials/{id}/proxy/v1/customers/42/events", new ByteArrayContent(new byte[1001]));

        Assert.Equal(HttpStatusCode.OK, small.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, large.StatusCode);
        Assert.Equal("service", large.Headers.GetValues("X-Credential-Proxy").Single());
        Assert.Contains("1000", (await large.ReadJson())["detail"]!.GetValue<string>());
        Assert.Single(Us.RequestsWithKey(key));
    }

    [Fact]
    public async Task A_proxy_body_larger_than_the_services_own_64_KiB_limit_is_forwarded()
    {
        var (client, id, key) = await Credential();
        Us.Respond(key, FakeReply.Ok());
        var body = new byte[1024 * 1024];
        Random.Shared.NextBytes(body);

        var response = await client.PutAsync($"/v1/credentials/{id}/proxy/v1/customers/42", new ByteArrayContent(body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body, Assert.Single(Us.RequestsWithKey(key)).Body);
    }

    [Fact]
    public async Task No_answer_in_time_is_a_504_and_an_unreachable_region_is_a_502()
    {
        var host = StartHost(new Dictionary<string, string?>
        {
            ["Proxy:TimeoutSeconds"] = "1",
            ["CustomerIo:Regions:eu:BaseUrl"] = "http://127.0.0.1:1",
        });
        var (client, id, key) = await Credential(host: host);
        Us.Respond(key, FakeReply.Ok() with { Delay = TimeSpan.FromSeconds(4) });
        var (euClient, euId, _) = await Credential("eu", host);

        var slow = await client.GetAsync($"/v1/credentials/{id}/proxy/v1/customers/42");
        var unreachable = await euClient.GetAsync($"/v1/credentials/{euId}/proxy/v1/customers/42");

        Assert.Equal(HttpStatusCode.GatewayTimeout, slow.StatusCode);
        Assert.Equal("service", slow.Headers.GetValues("X-Credential-Proxy").Single());
        Assert.EndsWith("proxy-upstream-timeout", (await slow.ReadJson())["type"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadGateway, unreachable.StatusCode);
        Assert.Equal("service", unreachable.Headers.GetValues("X-Credential-Proxy").Single());
        Assert.EndsWith("proxy-upstream-unreachable", (await unreachable.ReadJson())["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_caller_hanging_up_cancels_the_upstream_request()
    {
        var (client, id, key) = await Credential();
        Us.Respond(key, FakeReply.Ok() with { Delay = TimeSpan.FromSeconds(20) });

        using var hangUp = new CancellationTokenSource(TimeSpan.FromMilliseconds(700));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetAsync($"/v1/credentials/{id}/proxy/v1/customers/42", hangUp.Token));

        var upstream = Assert.Single(Us.RequestsWithKey(key));
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (!upstream.Aborted && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.True(upstream.Aborted, "Customer.io's request was still open 5 s after the caller hung up");
    }

    [Fact]
    public async Task Problems_of_the_route_itself_are_marked_as_the_services()
    {
        var (client, id, _) = await Credential();
        var readOnly = Host.KestrelClientFor(SharedService.NewTenant(), "credentials:read");
        var anonymous = new HttpClient { BaseAddress = Host.KestrelUrl };
        var otherTenant = Host.KestrelClientFor(SharedService.NewTenant(), ProxyScopes);

        var forbidden = await readOnly.GetAsync($"/v1/credentials/{id}/proxy/v1/customers/42");
        var unauthorized = await anonymous.GetAsync($"/v1/credentials/{id}/proxy/v1/customers/42");
        var notFound = await otherTenant.GetAsync($"/v1/credentials/{id}/proxy/v1/customers/42");
        var absent = await client.GetAsync($"/v1/credentials/{Guid.NewGuid()}/proxy/v1/customers/42");

        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, absent.StatusCode);
        foreach (var response in new[] { forbidden, unauthorized, notFound, absent })
        {
            Assert.Equal("service", response.Headers.GetValues("X-Credential-Proxy").Single());
        }

        // Another tenant's credential is indistinguishable from one that never existed.
        Assert.Equal((await absent.ReadJson())["title"]!.GetValue<string>(), (await notFound.ReadJson())["title"]!.GetValue<string>());
        Assert.Empty(Us.Requests);
    }

    [Fact]
    public async Task An_undecryptable_key_is_a_409_that_says_so_and_sends_nothing()
    {
        var (client, id, key) = await Credential();
        var (_, donor, _) = await Credential();
        await using (var connection = new Npgsql.NpgsqlConnection(ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new Npgsql.NpgsqlCommand(
                "UPDATE credentials SET app_api_key_ciphertext = (SELECT app_api_key_ciphertext FROM credentials WHERE id = @donor) WHERE id = @victim", connection);
            command.Parameters.AddWithValue("donor", donor);
            command.Parameters.AddWithValue("victim", id);
            await command.ExecuteNonQueryAsync();
        }

        var response = await client.GetAsync($"/v1/credentials/{id}/proxy/v1/customers/42");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("service", response.Headers.GetValues("X-Credential-Proxy").Single());
        Assert.EndsWith("credential-undecryptable", (await response.ReadJson())["type"]!.GetValue<string>());
        Assert.Empty(Us.RequestsWithKey(key));
        Assert.Empty(Us.Requests);
    }

    [Fact]
    public async Task A_rotation_on_another_instance_is_used_by_the_next_request_despite_the_key_cache()
    {
        var first = StartHost(new Dictionary<string, string?> { ["Proxy:KeyCacheSeconds"] = "300" });
        var second = StartHost();
        var (client, id, oldKey) = await Credential(host: first);
        var newKey = SharedService.NewKey();
        Us.Respond(oldKey, FakeReply.Ok());
        Us.Respond(newKey, FakeReply.Ok());
        var secondClient = second.KestrelClientFor("unused", ProxyScopes);
        secondClient.DefaultRequestHeaders.Authorization = client.DefaultRequestHeaders.Authorization;

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/v1/credentials/{id}/proxy/v1/customers/1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await secondClient.PatchAsync($"/v1/credentials/{id}", Api.Json(new { appApiKey = newKey }))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/v1/credentials/{id}/proxy/v1/customers/2")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await secondClient.DeleteAsync($"/v1/credentials/{id}")).StatusCode);
        var afterDelete = await client.GetAsync($"/v1/credentials/{id}/proxy/v1/customers/3");

        Assert.Equal("/v1/customers/1", Assert.Single(Us.RequestsWithKey(oldKey)).Path);
        Assert.Equal("/v1/customers/2", Assert.Single(Us.RequestsWithKey(newKey)).Path);
        Assert.Equal(HttpStatusCode.NotFound, afterDelete.StatusCode);
    }

    private async Task<string> OwnerToken(Guid id)
    {
        // The credential was created by a client of its own tenant: read the tenant back through the database.
        await using var connection = new Npgsql.NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT tenant_id FROM credentials WHERE id = @id", connection);
        command.Parameters.AddWithValue("id", id);
        var tenant = (string)(await command.ExecuteScalarAsync())!;
        return Tokens.For(tenant, ProxyScopes);
    }
}
