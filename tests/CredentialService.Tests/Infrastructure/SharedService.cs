using CredentialService.FakeCustomerIo;

namespace CredentialService.Tests.Infrastructure;

/// <summary>
/// One service host on one database with the two fake regions, shared by the test classes that work inside a tenant.
/// Tests stay independent without resets because each test uses tenants of its own (every query is tenant-scoped);
/// tests that touch state across tenants (key ring, rewrap) build a host on a database of their own.
/// </summary>
public sealed class SharedService : IAsyncLifetime
{
    public FakeCustomerIoServer Us { get; private set; } = null!;
    public FakeCustomerIoServer Eu { get; private set; } = null!;
    public ServiceHost Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Us = await FakeCustomerIoServer.StartAsync("us");
        Eu = await FakeCustomerIoServer.StartAsync("eu");
        Host = new ServiceHost(await PostgresServer.CreateDatabaseAsync("shared"), Us, Eu);
        _ = Host.Server; // start now: migrations run once, before the first test
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await Us.DisposeAsync();
        await Eu.DisposeAsync();
    }

    public static string NewTenant() => $"tenant-{Guid.NewGuid():N}";

    /// <summary>A key that looks like Customer.io's (32 lowercase hex), unique to the test.</summary>
    public static string NewKey() => Guid.NewGuid().ToString("N");
}

[CollectionDefinition(Name)]
public sealed class SharedServiceGroup : ICollectionFixture<SharedService>
{
    public const string Name = "shared service";
}
