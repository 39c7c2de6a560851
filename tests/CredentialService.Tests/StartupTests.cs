using CredentialService.FakeCustomerIo;
using CredentialService.Tests.Infrastructure;

namespace CredentialService.Tests;

/// <summary>A missing or wrong setting stops the process at start with a message that names the key.</summary>
public sealed class StartupTests : IAsyncLifetime
{
    private FakeCustomerIoServer us = null!;
    private FakeCustomerIoServer eu = null!;

    public async Task InitializeAsync()
    {
        us = await FakeCustomerIoServer.StartAsync("us");
        eu = await FakeCustomerIoServer.StartAsync("eu");
    }

    public async Task DisposeAsync()
    {
        await us.DisposeAsync();
        await eu.DisposeAsync();
    }

    [Theory]
    [InlineData("ConnectionStrings:Credentials", "", "ConnectionStrings:Credentials")]
    [InlineData("CustomerIo:Regions:eu:BaseUrl", "api-eu.customer.io", "CustomerIo:Regions:us:BaseUrl and CustomerIo:Regions:eu:BaseUrl")]
    [InlineData("CustomerIo:TimeoutSeconds", "0", "TimeoutSeconds")]
    [InlineData("RateLimiting:TestsPerSecondPerTenant", "0", "RateLimiting:TestsPerSecondPerTenant")]
    public async Task A_bad_setting_stops_the_start_naming_the_key(string key, string value, string named)
    {
        await using var host = new ServiceHost("Host=127.0.0.1;Database=unused", us, eu, new Dictionary<string, string?> { [key] = value });
        var error = Record.Exception(() => host.Server);
        Assert.NotNull(error);
        Assert.Contains(named, error.GetBaseException().Message + error.Message);
    }
}
