using Npgsql;
using Testcontainers.PostgreSql;

namespace CredentialService.Tests.Infrastructure;

/// <summary>
/// The real PostgreSQL the tests run against, in this order: the server named by
/// <c>CREDENTIALS_TEST_CONNECTION_STRING</c>; else a Testcontainers container (machines with Docker); else a
/// failure that says how to provide one. Never an in-memory stand-in, never a silent skip.
/// Each caller gets a database of its own on that server.
/// </summary>
public static class PostgresServer
{
    public const string EnvironmentVariable = "CREDENTIALS_TEST_CONNECTION_STRING";

    private static readonly Lazy<Task<string>> AdminConnectionString = new(ResolveAsync);

    public static async Task<string> CreateDatabaseAsync(string prefix)
    {
        var admin = await AdminConnectionString.Value;
        var name = $"test_{prefix}_{Guid.NewGuid():N}".ToLowerInvariant();
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }

        // Many hosts share one server during a run: a small pool each keeps the total under max_connections.
        return new NpgsqlConnectionStringBuilder(admin) { Database = name, Pooling = true, MaxPoolSize = 20 }.ConnectionString;
    }

    private static async Task<string> ResolveAsync()
    {
        var configured = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(configured)) return configured;

        try
        {
            // As scripts/test.sh's throwaway server: the tests run many hosts at once, each with a pool.
            var container = new PostgreSqlBuilder("postgres:15").WithCommand("-c", "max_connections=300").Build();
            await container.StartAsync();
            // Removed when the test process ends, also where Testcontainers' reaper (Ryuk) is disabled.
            AppDomain.CurrentDomain.ProcessExit += (_, _) => container.DisposeAsync().AsTask().GetAwaiter().GetResult();
            return container.GetConnectionString();
        }
        catch (Exception ex)
        {
            throw new InvalidOperationException(
                $"No PostgreSQL for the tests: set {EnvironmentVariable} to a server connection string " +
                "(scripts/test.sh starts a throwaway server and sets it), or run where Docker is available for " +
                $"Testcontainers. Testcontainers said: {ex.Message}", ex);
        }
    }
}
