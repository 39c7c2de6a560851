using CredentialService.FakeCustomerIo;
using CredentialService.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace CredentialService.BrowserTests.Infrastructure;

/// <summary>
/// The real service (Program) served by Kestrel on a loopback port, so that a real browser can reach it; the
/// in-memory TestServer of a plain WebApplicationFactory is out of a browser's reach. Only configuration changes:
/// the database, the token signing key and the Customer.io base URLs (pointed at the fakes).
/// </summary>
public sealed class BrowserServiceHost : WebApplicationFactory<Program>
{
    private readonly string connectionString;
    private readonly FakeCustomerIoServer us;
    private readonly FakeCustomerIoServer eu;

    public BrowserServiceHost(string connectionString, FakeCustomerIoServer us, FakeCustomerIoServer eu)
    {
        this.connectionString = connectionString;
        this.us = us;
        this.eu = eu;
        UseKestrel(0); // a free port, picked when the server starts
    }

    /// <summary>Where the service listens, e.g. http://127.0.0.1:41234/ (valid after <see cref="Start"/>).</summary>
    public Uri BaseUrl { get; private set; } = null!;

    public void Start()
    {
        StartServer();
        var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        BaseUrl = new Uri(addresses.First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal)
            .Replace("localhost", "127.0.0.1", StringComparison.Ordinal) + "/");
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        var settings = new Dictionary<string, string?>(Tokens.Configuration)
        {
            ["ConnectionStrings:Credentials"] = connectionString,
            ["CustomerIo:Regions:us:BaseUrl"] = us.BaseUrl.ToString(),
            ["CustomerIo:Regions:eu:BaseUrl"] = eu.BaseUrl.ToString(),
            ["CustomerIo:TimeoutSeconds"] = "3",
            ["Logging:LogLevel:Default"] = "Warning", // the test output shows the browser's story, not every request
        };
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
    }
}
