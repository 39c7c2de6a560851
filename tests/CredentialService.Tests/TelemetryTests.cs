using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using CredentialService.Credentials;
using CredentialService.FakeCustomerIo;
using CredentialService.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Trace;

namespace CredentialService.Tests;

/// <summary>Metrics, traces and logs an operator runs the service by, with the key redacted everywhere.</summary>
/// <remarks>
/// Meter and activity listeners are process-wide, so every host in the test process reports to every exporter:
/// these tests run alone, after the parallel ones, so the counts they read are their own.
/// </remarks>
[Collection(TelemetryTestsGroup.Name)]
public sealed partial class TelemetryTests : IsolatedServiceTest
{
    private readonly List<Activity> spans = [];
    private ServiceHost host = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        host = StartHost(
            new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Trace", ["Telemetry:Tracing:Enabled"] = "true" },
            addServices: s => s.ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(spans)));
    }

    [Fact]
    public async Task Metrics_count_connection_tests_by_outcome_and_region()
    {
        var client = host.ClientFor(SharedService.NewTenant());
        var good = SharedService.NewKey();
        var euKey = SharedService.NewKey();
        Us.Respond(good, FakeReply.Ok());
        Eu.Respond(euKey, FakeReply.Ok());
        foreach (var (key, region) in new[] { (good, "us"), (good, "us"), (SharedService.NewKey(), "us"), (euKey, "us"), (euKey, "eu") })
        {
            Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/v1/credentials/test", Api.Json(new { appApiKey = key, region }))).StatusCode);
        }

        await client.CreateCredential(SharedService.NewKey());
        var scrape = await (await host.CreateClient().GetAsync("/metrics")).Content.ReadAsStringAsync();

        Assert.Equal(2, Sample(scrape, "credential_service_connection_tests_total", ("outcome", "ok"), ("region", "us")));
        Assert.Equal(1, Sample(scrape, "credential_service_connection_tests_total", ("outcome", "invalid_key"), ("region", "us")));
        Assert.Equal(1, Sample(scrape, "credential_service_connection_tests_total", ("outcome", "wrong_region"), ("region", "us")));
        Assert.Equal(1, Sample(scrape, "credential_service_connection_tests_total", ("outcome", "ok"), ("region", "eu")));
        Assert.Equal(5, Sample(scrape, "credential_service_connection_test_duration_seconds_count"));
        Assert.Equal(2, Sample(scrape, "credential_service_customerio_responses_total", ("http_response_status_code", "200"), ("region", "us")));
        Assert.Equal(1, Sample(scrape, "credential_service_credential_changes_total", ("action", "created")));
        Assert.DoesNotContain("tenant", scrape, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("http_server_request_duration_seconds", scrape);
    }

    [Fact]
    public async Task A_stored_test_is_one_trace_request_to_customer_io_with_no_key_or_authorization_in_any_span()
    {
        var tenant = SharedService.NewTenant();
        var client = host.ClientFor(tenant);
        var key = SharedService.NewKey();
        Us.Respond(key, FakeReply.Ok());
        var id = (await client.CreateCredential(key))["id"]!.GetValue<Guid>();

        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/v1/credentials/{id}/test", null)).StatusCode);

        // Spans of every host in this test process reach the exporter: pick this request's by its path.
        var server = await WaitForSpan(s => s.Kind == ActivityKind.Server
                                            && s.GetTagItem("url.path") is string path && path.Contains($"{id}/test", StringComparison.Ordinal));
        Activity[] children;
        lock (spans) children = spans.Where(s => s.ParentSpanId == server.SpanId).ToArray();
        var upstream = Assert.Single(children, s => s.Kind == ActivityKind.Client && s.GetTagItem("url.full") is not null);
        Assert.Equal(server.TraceId, upstream.TraceId);
        Assert.Contains("/v1/workspaces", upstream.GetTagItem("url.full")?.ToString());
        Assert.Contains(children, s => s.Source.Name.Contains("Npgsql", StringComparison.Ordinal));

        lock (spans)
        {
            foreach (var span in spans)
            {
                var text = span.DisplayName + string.Join(" ", span.TagObjects.Select(t => $"{t.Key}={t.Value}"))
                           + string.Join(" ", span.Events.SelectMany(e => e.Tags.Select(t => $"{e.Name} {t.Key}={t.Value}")));
                Assert.DoesNotContain(key, text);
                Assert.DoesNotContain("Bearer", text);
                Assert.DoesNotContain("authorization", text, StringComparison.OrdinalIgnoreCase);
            }
        }
    }

    [Fact]
    public async Task Problem_details_carry_the_trace_id_of_the_request()
    {
        var client = host.ClientFor(SharedService.NewTenant());
        var problem = await (await client.GetAsync($"/v1/credentials/{Guid.CreateVersion7()}")).ReadJson();
        var traceId = problem["traceId"]!.GetValue<string>().Split('-')[1];

        var server = await WaitForSpan(s => s.Kind == ActivityKind.Server && s.TraceId.ToHexString() == traceId);
        Assert.Equal(404, server.GetTagItem("http.response.status_code"));
    }

    [Fact]
    public void A_credential_logged_deliberately_at_every_level_never_shows_its_key()
    {
        const string key = "0123456789abcdef0123456789abc3f9";
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Deliberate");
        var request = new CreateCredentialRequest("name", "description", key, "us");

        foreach (var level in Enum.GetValues<LogLevel>().Where(l => l != LogLevel.None))
        {
            LogRequest(logger, level, request);
#pragma warning disable CA1848, CA2254, CA1873 // the point is a careless, non-source-generated log call
            logger.Log(level, "Careless {@Credential} and {Request}", request, request);
#pragma warning restore CA1848, CA2254, CA1873
        }

        var lines = host.Logs.Lines.Where(l => l.Contains("Deliberate", StringComparison.Ordinal)).ToList();
        Assert.Equal(12, lines.Count);
        Assert.All(lines, l => Assert.DoesNotContain(key, l));
        Assert.Contains(lines, l => l.Contains("request.Name=name", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("request.AppApiKey= ", StringComparison.Ordinal)); // the field is there, erased
    }

    [LoggerMessage(Message = "Deliberately logging a create request")]
    private static partial void LogRequest(ILogger logger, LogLevel level, [LogProperties] CreateCredentialRequest request);

    private async Task<Activity> WaitForSpan(Func<Activity, bool> match)
    {
        for (var i = 0; i < 50; i++)
        {
            lock (spans)
            {
                var found = spans.FirstOrDefault(match);
                if (found is not null) return found;
            }

            await Task.Delay(100);
        }

        throw new Xunit.Sdk.XunitException("The expected span was not exported.");
    }

    private static double Sample(string scrape, string metric, params (string Label, string Value)[] labels)
    {
        var total = 0d;
        foreach (Match m in SampleLine().Matches(scrape))
        {
            if (m.Groups["name"].Value != metric) continue;
            var labelText = m.Groups["labels"].Value;
            if (labels.All(l => labelText.Contains($"{l.Label}=\"{l.Value}\"", StringComparison.Ordinal)))
                total += double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture);
        }

        return total;
    }

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(?<labels>[^}]*)\})? (?<value>[0-9.eE+-]+)", RegexOptions.Multiline)]
    private static partial Regex SampleLine();
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryTestsGroup
{
    public const string Name = "telemetry (runs alone)";
}
