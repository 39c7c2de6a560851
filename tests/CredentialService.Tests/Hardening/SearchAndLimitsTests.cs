using System.Net;
using CredentialService.Tests.Infrastructure;
using Npgsql;

namespace CredentialService.Tests.Hardening;

/// <summary>
/// A query that runs out of time is a 504 of its own (not "database unavailable"), counted by its own metric; a
/// tenant cannot store more than Credentials:MaxPerTenant credentials, even with creates racing on two instances.
/// </summary>
public sealed class SearchAndLimitsTests : IsolatedServiceTest
{
    [Fact]
    public async Task A_statement_that_runs_out_of_time_is_a_504_counted_apart_from_database_outages()
    {
        var host = StartHost(connectionString: ConnectionString + ";Options=-c statement_timeout=700");
        var client = host.ClientFor(SharedService.NewTenant());
        var id = (await client.CreateCredential(SharedService.NewKey()))["id"]!.GetValue<Guid>();

        await using var locker = new NpgsqlConnection(ConnectionString);
        await locker.OpenAsync();
        await using var tx = await locker.BeginTransactionAsync();
        await using (var lockRow = new NpgsqlCommand("SELECT 1 FROM credentials WHERE id = @id FOR UPDATE", locker, tx))
        {
            lockRow.Parameters.AddWithValue("id", id);
            await lockRow.ExecuteNonQueryAsync();
        }

        var response = await client.PatchAsync($"/v1/credentials/{id}", Api.Json(new { name = "blocked" }));
        await tx.RollbackAsync();

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("took too long", (await response.ReadJson())["title"]!.GetValue<string>());
        var metrics = await host.CreateClient().GetStringAsync("/metrics");
        Assert.Equal(1, Counter(metrics, "credential_service_query_timeouts_total"));
        // Not "database unavailable": this host logged no 503. (Its counter is not the proof: OpenTelemetry listens to
        // meters by name across the process, so in a test run it also counts the outage tests' hosts.)
        Assert.DoesNotContain(host.Logs.Lines, l => l.Contains("Database unavailable", StringComparison.Ordinal));
        Assert.DoesNotContain(host.Logs.Lines, l => l.Contains("Unhandled exception", StringComparison.Ordinal));
        Assert.Equal("renamed", (await (await client.PatchAsync($"/v1/credentials/{id}", Api.Json(new { name = "renamed" }))).ReadJson())["name"]!.GetValue<string>());
    }

    private static double Counter(string scrape, string metric) =>
        scrape.Split('\n').Where(l => l.StartsWith(metric + "{", StringComparison.Ordinal) || l.StartsWith(metric + " ", StringComparison.Ordinal))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public async Task Creates_racing_on_two_instances_never_exceed_the_per_tenant_maximum()
    {
        var settings = new Dictionary<string, string?> { ["Credentials:MaxPerTenant"] = "3" };
        var first = StartHost(settings);
        var second = StartHost(settings);
        var tenant = SharedService.NewTenant();
        var clients = new[] { first.ClientFor(tenant), second.ClientFor(tenant) };

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            clients[i % 2].PostAsync("/v1/credentials", Api.Json(new { name = $"n{i}", appApiKey = SharedService.NewKey() }))));

        Assert.Equal(3, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(7, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        var refused = responses.First(r => r.StatusCode == HttpStatusCode.Conflict);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Contains("3", (await refused.ReadJson())["detail"]!.GetValue<string>());
        var stored = (await clients[0].GetJson("/v1/credentials"))["items"]!.AsArray();
        Assert.Equal(3, stored.Count);
        await first.ClientFor(SharedService.NewTenant()).CreateCredential(SharedService.NewKey()); // another tenant is not affected

        // A delete frees its place (the count follows deletes too), and only one.
        Assert.Equal(HttpStatusCode.NoContent, (await clients[1].DeleteAsync($"/v1/credentials/{stored[0]!["id"]}")).StatusCode);
        Assert.Equal(HttpStatusCode.Created,
            (await clients[0].PostAsync("/v1/credentials", Api.Json(new { name = "again", appApiKey = SharedService.NewKey() }))).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict,
            (await clients[1].PostAsync("/v1/credentials", Api.Json(new { name = "over", appApiKey = SharedService.NewKey() }))).StatusCode);

        // A refusal the service expects is not an error for whoever watches the logs (EF's own failure lines are Debug).
        Assert.DoesNotContain(first.Logs.Lines.Concat(second.Logs.Lines), l => l.StartsWith("Error ", StringComparison.Ordinal));
    }
}
