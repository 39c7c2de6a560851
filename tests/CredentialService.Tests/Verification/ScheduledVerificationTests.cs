using System.Net;
using System.Text.Json.Nodes;
using CredentialService.FakeCustomerIo;
using CredentialService.Tests.Infrastructure;
using Npgsql;

namespace CredentialService.Tests.Verification;

/// <summary>
/// Scheduled verification with an interval of 1.8 seconds (IntervalHours = 0.0005), on a database of its own: every
/// credential is tested by the system, changes of verdict are recorded, two instances split the work without testing
/// one credential twice in an interval, 0 turns it off, and a database outage is survived.
/// </summary>
public sealed class ScheduledVerificationTests : IsolatedServiceTest
{
    private const double IntervalHours = 0.0005;
    private static readonly TimeSpan Interval = TimeSpan.FromHours(IntervalHours);

    private static Dictionary<string, string?> Fast(string intervalHours = "0.0005") => new()
    {
        ["Verification:IntervalHours"] = intervalHours,
        ["Verification:TestsPerSecond"] = "20",
        ["RateLimiting:TestsPerSecondPerTenant"] = "50",
    };

    [Fact]
    public async Task Every_credential_is_tested_by_the_system_within_a_few_intervals()
    {
        var host = StartHost(Fast());
        var credentials = new List<(HttpClient Client, Guid Id, string Key)>();
        foreach (var tenant in new[] { SharedService.NewTenant(), SharedService.NewTenant() })
        {
            var client = host.ClientFor(tenant);
            for (var i = 0; i < 3; i++)
            {
                var key = SharedService.NewKey();
                Us.Respond(key, FakeReply.Ok());
                credentials.Add((client, (await client.CreateCredential(key))["id"]!.GetValue<Guid>(), key));
            }
        }

        foreach (var (client, id, key) in credentials)
        {
            var tested = await WaitForEvent(client, id, e => e["action"]!.GetValue<string>() == "tested", Interval * 6);
            Assert.Equal("system:verifier", tested["actor"]!.GetValue<string>());
            Assert.Equal("ok", tested["detail"]!["outcome"]!.GetValue<string>());
            Assert.NotEmpty(Us.RequestsWithKey(key));
            var lastTest = (await client.GetJson($"/v1/credentials/{id}"))["lastTest"]!;
            Assert.Equal("ok", lastTest["outcome"]!.GetValue<string>());
            Assert.Equal(FakeReply.WorkspaceName, lastTest["workspaces"]![0]!["name"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task A_key_revoked_at_Customer_io_yields_a_verdict_changed_event_and_is_listed_as_broken()
    {
        var host = StartHost(Fast());
        var client = host.ClientFor(SharedService.NewTenant());
        var key = SharedService.NewKey();
        Us.Respond(key, FakeReply.Ok());
        var id = (await client.CreateCredential(key))["id"]!.GetValue<Guid>();
        await WaitForEvent(client, id, e => e["action"]!.GetValue<string>() == "tested", Interval * 6);

        Us.Respond(key, FakeReply.Unauthorized());
        var changed = await WaitForEvent(client, id, e => e["action"]!.GetValue<string>() == "verdict_changed", Interval * 6);
        Assert.Equal("system:verifier", changed["actor"]!.GetValue<string>());
        Assert.Equal("ok", changed["detail"]!["from"]!.GetValue<string>());
        Assert.Equal("invalid_key", changed["detail"]!["to"]!.GetValue<string>());

        Assert.Equal("invalid_key", (await client.GetJson($"/v1/credentials/{id}"))["lastTest"]!["outcome"]!.GetValue<string>());
        var broken = (await client.GetJson("/v1/credentials?lastOutcome=invalid_key"))["items"]!.AsArray();
        Assert.Equal(id, Assert.Single(broken)!["id"]!.GetValue<Guid>());
        // Only one change: later tests with the same outcome add tested events, not verdict_changed ones.
        await Task.Delay(Interval * 2);
        var events = (await client.GetJson($"/v1/credentials/{id}/events"))["items"]!.AsArray();
        Assert.Single(events, e => e!["action"]!.GetValue<string>() == "verdict_changed");
    }

    [Fact]
    public async Task Two_instances_on_one_database_split_the_work_and_never_test_a_credential_twice_in_an_interval()
    {
        var first = StartHost(Fast());
        var second = StartHost(Fast());
        _ = second.Server; // both schedulers run from now on
        var client = first.ClientFor(SharedService.NewTenant());
        var keys = new List<string>();
        for (var i = 0; i < 8; i++)
        {
            var key = SharedService.NewKey();
            Us.Respond(key, FakeReply.Ok());
            await client.CreateCredential(key);
            keys.Add(key);
        }

        await Task.Delay(Interval * 5);

        foreach (var key in keys)
        {
            var at = Us.RequestsWithKey(key).Select(r => r.At).Order().ToList();
            Assert.True(at.Count >= 2, $"a credential was tested {at.Count} time(s) in five intervals");
            for (var i = 1; i < at.Count; i++)
            {
                var gap = at[i] - at[i - 1];
                // The next test is due 90..100 % of an interval after a verdict; two instances testing one credential
                // at once would show as a gap of milliseconds.
                Assert.True(gap > Interval * 0.75, $"one credential was tested twice within {gap.TotalMilliseconds:F0} ms");
            }
        }

        Assert.Contains(first.Logs.Lines, l => l.Contains("Scheduled verification of credential", StringComparison.Ordinal));
        Assert.Contains(second.Logs.Lines, l => l.Contains("Scheduled verification of credential", StringComparison.Ordinal));
    }

    [Fact]
    public async Task IntervalHours_0_tests_nothing()
    {
        var host = StartHost(Fast("0"));
        var client = host.ClientFor(SharedService.NewTenant());
        var key = SharedService.NewKey();
        Us.Respond(key, FakeReply.Ok());
        var id = (await client.CreateCredential(key))["id"]!.GetValue<Guid>();
        // Make it long overdue, as if created days ago and never verified.
        await Sql(ConnectionString, $"UPDATE credentials SET created_at = now() - interval '3 days', next_verification_at = now() - interval '1 day' WHERE id = '{id}'");

        await Task.Delay(TimeSpan.FromSeconds(4));

        Assert.Empty(Us.RequestsWithKey(key));
        Assert.Null((await client.GetJson($"/v1/credentials/{id}"))["lastTest"]);
        Assert.Contains(host.Logs.Lines, l => l.Contains("Scheduled verification is off", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("NaN")]
    [InlineData("9000")]
    public void An_invalid_interval_stops_the_service_at_start_naming_the_key(string intervalHours)
    {
        var (_, error) = StartOrError(Fast(intervalHours));
        Assert.NotNull(error);
        Assert.Contains("Verification:IntervalHours", error.ToString());
    }

    [Fact]
    public async Task A_database_outage_during_a_run_is_survived_and_verification_continues_after_it()
    {
        var direct = new NpgsqlConnectionStringBuilder(ConnectionString);
        await using var proxy = new TcpProxy(direct.Host!, direct.Port);
        proxy.Start();
        var viaProxy = new NpgsqlConnectionStringBuilder(ConnectionString) { Host = "127.0.0.1", Port = proxy.Port }.ConnectionString;
        var host = StartHost(Fast(), connectionString: viaProxy);
        var client = host.ClientFor(SharedService.NewTenant());
        var key = SharedService.NewKey();
        Us.Respond(key, FakeReply.Ok());
        var id = (await client.CreateCredential(key))["id"]!.GetValue<Guid>();
        await WaitForEvent(client, id, e => e["action"]!.GetValue<string>() == "tested", Interval * 6);

        proxy.Stop();
        await Task.Delay(Interval * 3);
        var testsBeforeReturn = Us.RequestsWithKey(key).Count;
        proxy.Start(); // same port: the database is back
        var restored = DateTime.UtcNow;

        Assert.Contains(host.Logs.Lines, l => l.Contains("Scheduled verification failed", StringComparison.Ordinal));
        await WaitUntil(async () =>
        {
            var response = await client.GetAsync($"/v1/credentials/{id}/events");
            if (response.StatusCode != HttpStatusCode.OK) return false;
            return (await response.ReadJson())["items"]!.AsArray()
                .Any(e => e!["action"]!.GetValue<string>() == "tested" && e["at"]!.GetValue<DateTime>() > restored);
        }, TimeSpan.FromSeconds(40));
        Assert.True(Us.RequestsWithKey(key).Count > testsBeforeReturn);
    }

    private static async Task<JsonNode> WaitForEvent(HttpClient client, Guid id, Func<JsonNode, bool> match, TimeSpan within)
    {
        JsonNode? found = null;
        await WaitUntil(async () =>
        {
            found = (await client.GetJson($"/v1/credentials/{id}/events"))["items"]!.AsArray().FirstOrDefault(e => match(e!));
            return found is not null;
        }, within);
        return found!;
    }

    private static async Task WaitUntil(Func<Task<bool>> condition, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not within {within.TotalSeconds:F1} s");
            await Task.Delay(100);
        }
    }

    private static async Task Sql(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
