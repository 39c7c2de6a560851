using CredentialService.FakeCustomerIo;
using Microsoft.Extensions.DependencyInjection;

namespace CredentialService.Tests.Infrastructure;

/// <summary>
/// A database and two fake regions of the test class's own, for tests that touch state across tenants, need other
/// settings, or run several hosts (restarts, second instances). Hosts made with <see cref="StartHost"/> are disposed
/// after the test.
/// </summary>
public abstract class IsolatedServiceTest : IAsyncLifetime
{
    private readonly List<ServiceHost> hosts = [];
    private ServiceHost? host;

    protected FakeCustomerIoServer Us { get; private set; } = null!;
    protected FakeCustomerIoServer Eu { get; private set; } = null!;
    protected string ConnectionString { get; private set; } = null!;

    /// <summary>A host with the default settings, started on first use.</summary>
    protected ServiceHost Host => host ??= StartHost();

    /// <summary>The name the test's database starts with (after <c>test_</c>).</summary>
    protected virtual string DatabasePrefix => GetType().Name.ToLowerInvariant();

    public virtual async Task InitializeAsync()
    {
        Us = await FakeCustomerIoServer.StartAsync("us");
        Eu = await FakeCustomerIoServer.StartAsync("eu");
        ConnectionString = await PostgresServer.CreateDatabaseAsync(DatabasePrefix);
    }

    protected ServiceHost StartHost(
        IReadOnlyDictionary<string, string?>? overrides = null, string environment = "Development",
        Action<IServiceCollection>? addServices = null, string? connectionString = null)
    {
        var host = new ServiceHost(connectionString ?? ConnectionString, Us, Eu, overrides, environment, addServices);
        lock (hosts) hosts.Add(host);
        return host;
    }

    /// <summary>
    /// Starts a host and returns it with the exception that stopped its start (null when it started). Under heavy load
    /// WebApplicationFactory can report "Cannot access a disposed object" instead of that exception: the program's
    /// <c>app.Run()</c> disposes the host that failed to start while the factory still reads it. Then a new host with
    /// the same settings is tried (up to three in all), so the caller still asserts on the real error.
    /// </summary>
    protected (ServiceHost Host, Exception? Error) StartOrError(
        IReadOnlyDictionary<string, string?>? overrides = null, string environment = "Development")
    {
        for (var attempt = 1; ; attempt++)
        {
            var host = StartHost(overrides, environment);
            var error = Record.Exception(() => host.Server);
            if (error?.GetBaseException() is not ObjectDisposedException || attempt == 3) return (host, error);
        }
    }

    public virtual async Task DisposeAsync()
    {
        foreach (var host in hosts) await host.DisposeAsync();
        // This class's database is done with: close its idle pooled connections now rather than in five minutes.
        Npgsql.NpgsqlConnection.ClearAllPools();
        await Us.DisposeAsync();
        await Eu.DisposeAsync();
    }
}
