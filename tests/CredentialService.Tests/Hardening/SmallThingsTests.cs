using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using CredentialService.FakeCustomerIo;
using CredentialService.Tests.Infrastructure;
using Npgsql;

namespace CredentialService.Tests.Hardening;

/// <summary>
/// Side channels and small things: a per-row version, generic and cached readiness, no token error details outside
/// Development, no trace ids to Customer.io, a 30 s clock skew, no plain-http Customer.io outside Development.
/// </summary>
public sealed class SmallThingsTests : IsolatedServiceTest
{
    private static readonly Dictionary<string, string?> Production = new() { ["DataProtection:AllowUnprotectedKeyRing"] = "true" };

    [Fact]
    public async Task The_version_counts_the_writes_of_one_row_and_says_nothing_about_other_tenants()
    {
        var mine = Host.ClientFor(SharedService.NewTenant());
        var first = await mine.CreateCredential(SharedService.NewKey());
        var others = Host.ClientFor(SharedService.NewTenant());
        for (var i = 0; i < 5; i++) await others.CreateCredential(SharedService.NewKey());
        var second = await mine.CreateCredential(SharedService.NewKey());

        Assert.Equal("1", first["version"]!.GetValue<string>());
        Assert.Equal("1", second["version"]!.GetValue<string>());
        var id = second["id"]!.GetValue<Guid>();
        var patched = await mine.PatchAsync($"/v1/credentials/{id}", Api.Json(new { name = "renamed" }));
        Assert.Equal("\"2\"", patched.Headers.ETag!.Tag);
        await mine.PostAsync($"/v1/credentials/{id}/test", null);
        Assert.Equal("3", (await mine.GetJson($"/v1/credentials/{id}"))["version"]!.GetValue<string>());

        var stale = new HttpRequestMessage(HttpMethod.Patch, $"/v1/credentials/{id}") { Content = Api.Json(new { name = "x" }) };
        stale.Headers.IfMatch.Add(new EntityTagHeaderValue("\"2\""));
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await mine.SendAsync(stale)).StatusCode);
    }

    [Fact]
    public async Task Readiness_shows_generic_messages_logs_the_details_and_is_computed_at_most_once_a_second()
    {
        var direct = new NpgsqlConnectionStringBuilder(ConnectionString);
        await using var proxy = new TcpProxy(direct.Host!, direct.Port);
        proxy.Start();
        var host = StartHost(connectionString: new NpgsqlConnectionStringBuilder(ConnectionString) { Host = "127.0.0.1", Port = proxy.Port }.ConnectionString);
        var client = host.CreateClient();

        var checkedAt = new HashSet<string>();
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < 10; i++)
        {
            var ready = await client.GetAsync("/health/ready");
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            checkedAt.Add((await ready.ReadJson())["checkedAt"]!.GetValue<string>());
        }

        Assert.True(checkedAt.Count <= 1 + (int)watch.Elapsed.TotalSeconds, $"{checkedAt.Count} evaluations in {watch.Elapsed}");
        await Task.Delay(1200);
        Assert.DoesNotContain((await (await client.GetAsync("/health/ready")).ReadJson())["checkedAt"]!.GetValue<string>(), checkedAt);

        proxy.Stop();
        await Task.Delay(1200);
        var down = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
        var body = await down.ReadJson();
        Assert.Equal("unavailable", body["checks"]!["database"]!["description"]!.GetValue<string>());
        var text = body.ToJsonString();
        Assert.DoesNotContain(proxy.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), text);
        Assert.DoesNotContain("Exception", text);
        Assert.DoesNotContain("connect", text, StringComparison.OrdinalIgnoreCase);
        // The details (the exception) are in the log instead.
        Assert.Contains(host.Logs.Lines, l => l.Contains("Readiness: database unavailable", StringComparison.Ordinal)
                                              && l.Contains("Npgsql", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Token_error_details_are_in_WWW_Authenticate_only_in_Development()
    {
        var expired = Tokens.For(SharedService.NewTenant(), Tokens.AllScopes, expires: DateTime.UtcNow.AddHours(-1));
        async Task<string> Challenge(ServiceHost host)
        {
            var client = host.CreateClient();
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", expired);
            var response = await client.GetAsync("/v1/credentials");
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            return response.Headers.WwwAuthenticate.ToString();
        }

        var production = await Challenge(StartHost(Production, environment: "Production"));
        Assert.DoesNotContain("error_description", production);
        Assert.DoesNotContain("expired", production);
        Assert.Contains("error_description", await Challenge(Host));
    }

    [Fact]
    public async Task Trace_ids_are_not_sent_to_Customer_io()
    {
        var host = StartHost(new Dictionary<string, string?> { ["Telemetry:Tracing:Enabled"] = "true" });
        var key = SharedService.NewKey();
        Us.Respond(key, FakeReply.Ok());
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/credentials/test") { Content = Api.Json(new { appApiKey = key, region = "us" }) };
        request.Headers.Add("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        request.Headers.Add("tracestate", "congo=t61rcWkgMzE");
        request.Headers.Add("baggage", "userId=alice");
        var client = host.ClientFor(SharedService.NewTenant());
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(request)).StatusCode);

        var sent = Assert.Single(Us.RequestsWithKey(key));
        Assert.NotNull(sent.Headers);
        foreach (var header in new[] { "traceparent", "tracestate", "baggage", "Request-Id", "Correlation-Context" })
        {
            Assert.False(sent.Headers!.ContainsKey(header), $"{header} was sent to Customer.io");
        }
    }

    [Theory]
    [InlineData(-60, null, HttpStatusCode.Unauthorized)]
    [InlineData(-10, null, HttpStatusCode.OK)]
    [InlineData(-10, "0", HttpStatusCode.Unauthorized)]
    [InlineData(-100, "120", HttpStatusCode.OK)]
    public async Task The_clock_skew_allowed_on_token_expiry_is_30_seconds_unless_configured(int expiredSecondsAgo, string? skew, HttpStatusCode expected)
    {
        var host = skew is null ? Host : StartHost(new Dictionary<string, string?> { ["Authentication:ClockSkewSeconds"] = skew });
        var client = host.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            Tokens.For(SharedService.NewTenant(), Tokens.AllScopes, expires: DateTime.UtcNow.AddSeconds(expiredSecondsAgo)));
        Assert.Equal(expected, (await client.GetAsync("/v1/credentials")).StatusCode);
    }

    [Theory]
    [InlineData("Production", "http://api.customer.example", false)]
    [InlineData("Production", "http://localhost:9/", true)]
    [InlineData("Production", "http://[::1]:9/", true)]
    [InlineData("Development", "http://api.customer.example", true)]
    [InlineData("Production", "http://api.customer.example", true, "true")]
    public async Task Plain_http_Customer_io_base_urls_are_refused_at_start_outside_Development_unless_loopback(
        string environment, string baseUrl, bool starts, string allowPlainHttp = "false")
    {
        var (host, error) = StartOrError(new Dictionary<string, string?>(Production)
        {
            ["CustomerIo:Regions:eu:BaseUrl"] = baseUrl,
            ["CustomerIo:AllowPlainHttp"] = allowPlainHttp, // the explicit opt-in of a test stack
        }, environment);
        if (starts)
        {
            Assert.Null(error);
            Assert.Equal(HttpStatusCode.OK, (await host.ClientFor(SharedService.NewTenant()).GetAsync("/v1/credentials")).StatusCode);
        }
        else
        {
            Assert.NotNull(error);
            Assert.Contains($"CustomerIo:Regions:eu:BaseUrl is '{baseUrl}': outside Development a Customer.io base URL must use " +
                            "https (plain http is allowed only for a loopback host).", error.GetBaseException().Message + error.Message);
        }
    }
}
