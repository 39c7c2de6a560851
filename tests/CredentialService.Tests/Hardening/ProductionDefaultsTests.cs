using System.Net;
using System.Text.RegularExpressions;
using CredentialService.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace CredentialService.Tests.Hardening;

/// <summary>
/// Outside Development Swagger is off unless asked for (and then served with a CSP); /metrics and the health
/// endpoints can move to a management port, which the API port then does not serve; DataProtection never logs
/// the key ring's master keys, whatever log level is configured.
/// </summary>
public sealed partial class ProductionDefaultsTests : IsolatedServiceTest
{
    private static readonly Dictionary<string, string?> Production = new() { ["DataProtection:AllowUnprotectedKeyRing"] = "true" };

    private static Dictionary<string, string?> With(Dictionary<string, string?> settings, params (string Key, string? Value)[] more)
    {
        var all = new Dictionary<string, string?>(settings);
        foreach (var (key, value) in more) all[key] = value;
        return all;
    }

    [Fact]
    public async Task Swagger_is_off_in_Production_by_default_and_on_in_Development()
    {
        var production = StartHost(Production, environment: "Production").CreateClient();
        Assert.Equal(HttpStatusCode.NotFound, (await production.GetAsync("/swagger/index.html")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await production.GetAsync("/swagger/v1/swagger.json")).StatusCode);

        var development = Host.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await development.GetAsync("/swagger/index.html")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await development.GetAsync("/swagger/v1/swagger.json")).StatusCode);
    }

    [Fact]
    public async Task Swagger_turned_on_in_Production_is_served_with_a_content_security_policy()
    {
        var client = StartHost(With(Production, ("Swagger:Enabled", "true")), environment: "Production").CreateClient();
        var page = await client.GetAsync("/swagger/index.html");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var csp = string.Join(";", page.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'none'", csp);
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.DoesNotContain("unsafe-eval", csp);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/swagger/v1/swagger.json")).StatusCode);
    }

    [Fact]
    public async Task With_a_management_port_metrics_and_health_are_served_there_and_not_on_the_api_port()
    {
        const int port = 9464;
        var host = StartHost(new Dictionary<string, string?> { ["Management:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        var api = host.ClientFor(SharedService.NewTenant());
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/v1/credentials")).StatusCode);
        foreach (var path in new[] { "/metrics", "/health/ready", "/health/live" })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync(path)).StatusCode);
        }

        async Task<(int Status, string Body)> OnManagementPort(string path)
        {
            var context = await host.Server.SendAsync(c =>
            {
                c.Request.Method = HttpMethods.Get;
                c.Request.Path = path;
                c.Request.Host = new HostString("localhost", port);
                c.Connection.LocalPort = port;
            });
            using var reader = new StreamReader(context.Response.Body);
            return (context.Response.StatusCode, await reader.ReadToEndAsync());
        }

        var metrics = await OnManagementPort("/metrics");
        Assert.Equal(200, metrics.Status);
        Assert.Contains("http_server_request_duration_seconds", metrics.Body);
        Assert.Equal(200, (await OnManagementPort("/health/ready")).Status);
        Assert.Equal(200, (await OnManagementPort("/health/live")).Status);
        Assert.Equal(404, (await OnManagementPort("/v1/credentials")).Status);
    }

    [Fact]
    public async Task A_Trace_level_log_with_an_unprotected_key_ring_never_shows_a_master_key()
    {
        var host = StartHost(With(Production,
            ("Logging:LogLevel:Default", "Trace"),
            ("Logging:LogLevel:Microsoft", "Trace"),
            ("Logging:LogLevel:Microsoft.AspNetCore", "Trace"),
            ("Logging:LogLevel:Microsoft.AspNetCore.DataProtection", "Trace"),
            ("Logging:LogLevel:Microsoft.AspNetCore.DataProtection.EntityFrameworkCore.EntityFrameworkCoreXmlRepository", "Trace")),
            environment: "Production");
        var client = host.ClientFor(SharedService.NewTenant());
        var id = (await client.CreateCredential(SharedService.NewKey()))["id"]!.GetValue<Guid>();
        await client.GetAsync($"/v1/credentials/{id}/secret");
        // A second instance reads the ring from the table (the first one created the key in memory).
        var second = StartHost(With(Production, ("Logging:LogLevel:Default", "Trace"),
            ("Logging:LogLevel:Microsoft.AspNetCore.DataProtection", "Trace")), environment: "Production");
        await second.ClientFor(SharedService.NewTenant()).CreateCredential(SharedService.NewKey());

        var masterKeys = new List<string>();
        await using (var connection = new Npgsql.NpgsqlConnection(ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new Npgsql.NpgsqlCommand("SELECT xml FROM data_protection_keys", connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) masterKeys.AddRange(MasterKeyValue().Matches(reader.GetString(0)).Select(m => m.Groups[1].Value));
        }

        Assert.NotEmpty(masterKeys);
        var lines = host.Logs.Lines.Concat(second.Logs.Lines).ToList();
        Assert.Contains(lines, l => l.StartsWith("Trace ", StringComparison.Ordinal)); // Trace really was on
        foreach (var value in masterKeys)
        {
            Assert.DoesNotContain(lines, l => l.Contains(value, StringComparison.Ordinal));
        }
    }

    [GeneratedRegex(@"<masterKey[^>]*>.*?<value>([^<]+)</value>", RegexOptions.Singleline)]
    private static partial Regex MasterKeyValue();
}
