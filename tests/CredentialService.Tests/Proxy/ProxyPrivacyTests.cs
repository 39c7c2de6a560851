using System.Diagnostics;
using System.Net;
using CredentialService.FakeCustomerIo;
using CredentialService.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace CredentialService.Tests.Proxy;

/// <summary>
/// Paths and queries of proxied calls carry customers' personal data; the key is the service's to keep. Neither may
/// reach a log line (any level), a span or a response.
/// </summary>
[Collection(TelemetryTestsGroup.Name)]
public sealed class ProxyPrivacyTests : IsolatedServiceTest
{
    private const string Email = "jane.doe.proxytest@example.com";
    private readonly List<Activity> spans = [];
    private ServiceHost host = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        host = StartHost(
            new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Default"] = "Trace",
                ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace",
                ["Telemetry:Tracing:Enabled"] = "true",
            },
            addServices: s => s.ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(spans)));
    }

    [Fact]
    public async Task A_customers_email_in_path_and_query_and_the_key_appear_in_no_log_line_span_or_response()
    {
        var client = host.KestrelClientFor(SharedService.NewTenant(), ProxyForwardingTests.ProxyScopes);
        var key = SharedService.NewKey();
        Us.Respond(key, new FakeReply(200, """{"customer":"found"}"""));
        var id = (await client.CreateCredential(key))["id"]!.GetValue<Guid>();
        var encoded = Uri.EscapeDataString(Email);

        var responses = new List<HttpResponseMessage>
        {
            await client.GetAsync($"/v1/credentials/{id}/proxy/v1/customers/{Email}/attributes?email={encoded}&id_type=email"),
            await client.PutAsync($"/v1/credentials/{id}/proxy/v1/customers/{encoded}?email={Email}", Api.Json(new { email = Email })),
            await client.GetAsync($"/v1/credentials/{id}/proxy/v1/customers//{Email}?email={Email}"), // refused path, still not logged
            await client.GetAsync($"/v1/credentials/{Guid.NewGuid()}/proxy/v1/customers/{Email}?email={Email}"), // 404
        };
        Us.Respond(key, new FakeReply(302, null, new Dictionary<string, string> { ["Location"] = $"https://other.example/v1/customers/{Email}" }));
        responses.Add(await client.GetAsync($"/v1/credentials/{id}/proxy/v1/customers/{Email}?email={Email}"));

        Assert.Equal(HttpStatusCode.OK, responses[0].StatusCode);
        Assert.Equal(HttpStatusCode.OK, responses[1].StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, responses[2].StatusCode);
        Assert.Equal(HttpStatusCode.BadGateway, responses[^1].StatusCode);
        Assert.Equal(3, Us.RequestsWithKey(key).Count);
        Assert.Contains(Email, Uri.UnescapeDataString(Us.RequestsWithKey(key)[0].Path)); // it did travel to Customer.io

        // What the service wrote: a line per proxied call with method, the first two segments and the status.
        var lines = host.Logs.Lines.ToList();
        Assert.Contains(lines, l => l.Contains("Proxy GET v1/customers", StringComparison.Ordinal) && l.Contains("answered 200", StringComparison.Ordinal));
        foreach (var secret in new[] { Email, encoded, "jane.doe", key })
        {
            Assert.DoesNotContain(lines, l => l.Contains(secret, StringComparison.OrdinalIgnoreCase));
        }

        foreach (var response in responses)
        {
            Assert.DoesNotContain(key, await response.Content.ReadAsStringAsync());
            Assert.DoesNotContain(response.Headers.Concat(response.Content.Headers), h => h.Value.Any(v => v.Contains(key, StringComparison.Ordinal)));
        }

        await Task.Delay(200); // the last server span ends after the response is written
        Activity[] recorded;
        lock (spans) recorded = spans.ToArray();
        var proxySpans = recorded.Where(s => s.Source.Name == "CredentialService.Proxy").ToList();
        Assert.Contains(proxySpans, s => (string?)s.GetTagItem("proxy.path") == "v1/customers");
        Assert.Contains(recorded, s => s.Kind == ActivityKind.Server && s.GetTagItem("url.path") is string p && p.Contains("/proxy/v1/customers", StringComparison.Ordinal));
        // Listeners are process-wide: leave out the fakes' own server spans (Customer.io's side) and this test's
        // client spans (the caller's side); every span of the service itself stays in.
        var fakePorts = new[] { Us.BaseUrl.Port, Eu.BaseUrl.Port };
        var servicePort = host.KestrelUrl!.Port;
        bool NotTheService(Activity s) => s.GetTagItem("server.port") is int port
                                          && (s.Kind == ActivityKind.Server && fakePorts.Contains(port) || s.Kind == ActivityKind.Client && port == servicePort);
        foreach (var span in recorded.Where(s => !NotTheService(s)))
        {
            var text = span.DisplayName + " " + string.Join(" ", span.TagObjects.Select(t => $"{t.Key}={t.Value}"))
                       + string.Join(" ", span.Events.SelectMany(e => e.Tags.Select(t => $"{t.Key}={t.Value}")));
            foreach (var secret in new[] { Email, encoded, "jane.doe", key })
            {
                Assert.False(text.Contains(secret, StringComparison.OrdinalIgnoreCase), $"{span.Source.Name}: {text}");
            }
        }
    }
}
