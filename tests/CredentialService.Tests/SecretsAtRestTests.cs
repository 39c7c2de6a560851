using System.Net;
using System.Text;
using CredentialService.FakeCustomerIo;
using CredentialService.Tests.Infrastructure;
using Npgsql;

namespace CredentialService.Tests;

/// <summary>The plaintext key is in no response (but /secret), header, log line or database column.</summary>
public sealed class SecretsAtRestTests : IsolatedServiceTest
{
    [Fact]
    public async Task The_key_appears_in_no_response_header_log_line_or_column()
    {
        var tenant = SharedService.NewTenant();
        var client = Host.ClientFor(tenant);
        var key = SharedService.NewKey();
        var rotated = SharedService.NewKey();
        Us.Respond(rotated, FakeReply.Ok());
        var responses = new List<HttpResponseMessage>();

        var create = await client.PostAsync("/v1/credentials", Api.Json(new { name = "n", appApiKey = key }));
        responses.Add(create);
        var id = (await create.ReadJson())["id"]!.GetValue<Guid>();
        responses.Add(await client.GetAsync($"/v1/credentials/{id}"));
        responses.Add(await client.GetAsync("/v1/credentials"));
        responses.Add(await client.PostAsync($"/v1/credentials/{id}/test", null));
        responses.Add(await client.PostAsync("/v1/credentials/test", Api.Json(new { appApiKey = key })));
        responses.Add(await client.PatchAsync($"/v1/credentials/{id}", Api.Json(new { appApiKey = rotated })));
        responses.Add(await client.PostAsync($"/v1/credentials/{id}/test", null));
        responses.Add(await client.GetAsync($"/v1/credentials/{id}/events"));
        responses.Add(await client.PostAsync("/v1/credentials", Api.RawJson($$"""{"name":"n","appApiKey":"{{key}}","oops":1}""")));
        responses.Add(await client.PostAsync("/v1/credentials", Api.RawJson($$"""{"name":"n","appApiKey":"{{key}} {{key}}"}""")));
        var secret = await client.GetAsync($"/v1/credentials/{id}/secret");

        foreach (var response in responses)
        {
            var text = response.Headers + "\n" + response.Content.Headers + "\n" + await response.Content.ReadAsStringAsync();
            Assert.DoesNotContain(key, text);
            Assert.DoesNotContain(rotated, text);
        }

        Assert.Contains(rotated, await secret.Content.ReadAsStringAsync()); // the one place it may appear
        Assert.DoesNotContain(Host.Logs.Lines, l => l.Contains(key, StringComparison.Ordinal) || l.Contains(rotated, StringComparison.Ordinal));

        var everyValue = await DumpDatabase(Host.ConnectionString);
        Assert.DoesNotContain(key, everyValue);
        Assert.DoesNotContain(rotated, everyValue);
        Assert.Contains(rotated[^4..], everyValue); // the dump did read the credential rows
    }

    [Fact]
    public async Task A_ciphertext_moved_to_another_row_or_tenant_does_not_decrypt()
    {
        var tenantA = SharedService.NewTenant();
        var tenantB = SharedService.NewTenant();
        var keyA = SharedService.NewKey();
        var a = (await Host.ClientFor(tenantA).CreateCredential(keyA))["id"]!.GetValue<Guid>();
        var a2 = (await Host.ClientFor(tenantA).CreateCredential(SharedService.NewKey()))["id"]!.GetValue<Guid>();
        var b = (await Host.ClientFor(tenantB).CreateCredential(SharedService.NewKey()))["id"]!.GetValue<Guid>();

        await using (var db = new NpgsqlConnection(Host.ConnectionString))
        {
            await db.OpenAsync();
            await using var copy = new NpgsqlCommand(
                "UPDATE credentials SET app_api_key_ciphertext = (SELECT app_api_key_ciphertext FROM credentials WHERE id = @a) WHERE id IN (@a2, @b)", db);
            copy.Parameters.AddWithValue("a", a);
            copy.Parameters.AddWithValue("a2", a2);
            copy.Parameters.AddWithValue("b", b);
            Assert.Equal(2, await copy.ExecuteNonQueryAsync());
        }

        var sameTenantOtherRow = await Host.ClientFor(tenantA).GetAsync($"/v1/credentials/{a2}/secret");
        var otherTenant = await Host.ClientFor(tenantB).GetAsync($"/v1/credentials/{b}/secret");
        var original = await Host.ClientFor(tenantA).GetAsync($"/v1/credentials/{a}/secret");

        foreach (var moved in new[] { sameTenantOtherRow, otherTenant })
        {
            Assert.Equal(HttpStatusCode.Conflict, moved.StatusCode);
            var problem = await moved.ReadJson();
            Assert.Contains("credential-undecryptable", problem["type"]!.GetValue<string>());
            Assert.DoesNotContain(keyA, problem.ToJsonString());
        }

        Assert.Equal(keyA, (await original.ReadJson())["appApiKey"]!.GetValue<string>());
    }

    /// <summary>Every value of every row of every table in the database, as text.</summary>
    private static async Task<string> DumpDatabase(string connectionString)
    {
        await using var db = new NpgsqlConnection(connectionString);
        await db.OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("SELECT tablename FROM pg_tables WHERE schemaname = 'public'", db))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync()) tables.Add(reader.GetString(0));
        }

        var dump = new StringBuilder();
        foreach (var table in tables)
        {
            await using var select = new NpgsqlCommand($"SELECT * FROM \"{table}\"", db);
            await using var reader = await select.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    var value = reader.GetValue(i);
                    dump.Append(value is byte[] bytes ? Encoding.UTF8.GetString(bytes) + Encoding.Latin1.GetString(bytes) : value).Append('\t');
                }

                dump.AppendLine();
            }
        }

        return dump.ToString();
    }
}
