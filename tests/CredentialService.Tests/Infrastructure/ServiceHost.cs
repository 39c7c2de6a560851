using System.Net.Http.Headers;
using CredentialService.FakeCustomerIo;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CredentialService.Tests.Infrastructure;

/// <summary>
/// The real service (Program) on a real database. Only configuration changes: connection string, token signing key,
/// the Customer.io base URLs (pointed at the fakes) and whatever a test overrides. Every log line is captured.
/// </summary>
public sealed class ServiceHost(
    string connectionString,
    FakeCustomerIoServer us,
    FakeCustomerIoServer eu,
    IReadOnlyDictionary<string, string?>? overrides = null,
    string environment = "Development",
    Action<IServiceCollection>? addServices = null) : WebApplicationFactory<Program>
{
    public LogCapture Logs { get; } = new();

    public string ConnectionString => connectionString;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(environment);
        var settings = new Dictionary<string, string?>(Tokens.Configuration)
        {
            ["ConnectionStrings:Credentials"] = connectionString,
            ["CustomerIo:Regions:us:BaseUrl"] = us.BaseUrl.ToString(),
            ["CustomerIo:Regions:eu:BaseUrl"] = eu.BaseUrl.ToString(),
            ["CustomerIo:TimeoutSeconds"] = "3",
            // Tests create and list far faster than a tenant may; the limits' own tests set them low.
            ["RateLimiting:ListRequestsPerSecondPerTenant"] = "100000",
            ["RateLimiting:WriteRequestsPerSecondPerTenant"] = "100000",
            ["Logging:LogLevel:Default"] = "Debug",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Debug",
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
        if (addServices is not null) builder.ConfigureServices(addServices); // observers only, e.g. an in-memory trace exporter
    }

    /// <summary>A client whose requests carry a token for <paramref name="tenant"/> with <paramref name="scopes"/> (all by default).</summary>
    public HttpClient ClientFor(string tenant, params string[] scopes)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization =
            new AuthenticationHeaderValue("Bearer", Tokens.For(tenant, scopes.Length == 0 ? Tokens.AllScopes : scopes));
        return client;
    }

    public T Service<T>() where T : notnull => Services.GetRequiredService<T>();

    /// <summary>Where Kestrel listens after <see cref="StartOnKestrel"/>, e.g. http://127.0.0.1:41234/.</summary>
    public Uri? KestrelUrl { get; private set; }

    /// <summary>
    /// Serves on Kestrel at a free loopback port instead of the in-memory TestServer, for tests that need real
    /// sockets (raw request targets, hang-ups, streaming). Call before the first request.
    /// </summary>
    public Uri StartOnKestrel()
    {
        UseKestrel(0);
        StartServer();
        var address = Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First();
        KestrelUrl = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal)
            .Replace("localhost", "127.0.0.1", StringComparison.Ordinal) + "/");
        return KestrelUrl;
    }

    /// <summary>A client over real sockets to <see cref="KestrelUrl"/> with a token for <paramref name="tenant"/>.</summary>
    public HttpClient KestrelClientFor(string tenant, params string[] scopes)
    {
        var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false })
        {
            BaseAddress = KestrelUrl ?? StartOnKestrel(),
            Timeout = TimeSpan.FromSeconds(60),
        };
        client.DefaultRequestHeaders.Authorization =
            new AuthenticationHeaderValue("Bearer", Tokens.For(tenant, scopes.Length == 0 ? Tokens.AllScopes : scopes));
        return client;
    }
}
