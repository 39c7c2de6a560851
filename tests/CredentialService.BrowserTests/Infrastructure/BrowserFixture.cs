using System.Net.Http.Headers;
using System.Reflection;
using CredentialService.FakeCustomerIo;
using CredentialService.Tests.Infrastructure;
using Microsoft.Playwright;

namespace CredentialService.BrowserTests.Infrastructure;

/// <summary>
/// One service on a real port, on a real PostgreSQL database, with fake Customer.io regions (US and EU), and one
/// headless Chromium, shared by all browser tests. Tests stay independent because each one signs in as a tenant of
/// its own and gets a fresh browser context (its own session storage).
/// The browser is Debian's Chromium (<c>/usr/bin/chromium</c>, or <c>CHROMIUM_PATH</c>): Playwright never
/// downloads one.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ChromiumPathVariable = "CHROMIUM_PATH";

    /// <summary>How long a step may wait (ms): generous, because CI runs these beside the API tests on 2 cores.</summary>
    private const float Timeout = 20_000;

    private IPlaywright? playwright;

    public FakeCustomerIoServer Us { get; private set; } = null!;
    public FakeCustomerIoServer Eu { get; private set; } = null!;
    public BrowserServiceHost Host { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    public Uri BaseUrl => Host.BaseUrl;

    /// <summary>The repository's root folder (screenshots go to docs/screenshots there).</summary>
    public static string RepositoryRoot { get; } = Path.GetFullPath(typeof(BrowserFixture).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepositoryRoot").Value!);

    public async Task InitializeAsync()
    {
        var chromium = Environment.GetEnvironmentVariable(ChromiumPathVariable) is { Length: > 0 } path ? path : "/usr/bin/chromium";
        if (!File.Exists(chromium))
        {
            throw new InvalidOperationException(
                $"No Chromium at {chromium}. Install Debian's (apt-get install -y chromium) or set {ChromiumPathVariable}. " +
                "These tests never download a browser.");
        }

        Us = await FakeCustomerIoServer.StartAsync("us");
        Eu = await FakeCustomerIoServer.StartAsync("eu");
        Host = new BrowserServiceHost(await PostgresServer.CreateDatabaseAsync("browser"), Us, Eu);
        Host.Start();

        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            ChromiumSandbox = false, // the tests run as root
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
            ],
        });
        Assertions.SetDefaultExpectTimeout(Timeout);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        playwright?.Dispose();
        if (Host is not null) await Host.DisposeAsync();
        if (Us is not null) await Us.DisposeAsync();
        if (Eu is not null) await Eu.DisposeAsync();
    }

    public static string NewTenant() => $"tenant-{Guid.NewGuid():N}";

    /// <summary>A key that looks like Customer.io's (32 lowercase hex), unique to the test.</summary>
    public static string NewKey() => Guid.NewGuid().ToString("N");

    /// <summary>A key Customer.io accepts in the US region only.</summary>
    public string NewUsKey()
    {
        var key = NewKey();
        Us.Respond(key, FakeReply.Ok());
        return key;
    }

    /// <summary>A client of the same service, for arranging and checking behind the page's back.</summary>
    public HttpClient ApiFor(string tenant, params string[] scopes)
    {
        var client = new HttpClient { BaseAddress = BaseUrl };
        client.DefaultRequestHeaders.Authorization =
            new AuthenticationHeaderValue("Bearer", Tokens.For(tenant, scopes.Length == 0 ? Tokens.AllScopes : scopes));
        return client;
    }

    /// <summary>A fresh browser context (own session storage) with a page on the service's home page.</summary>
    public async Task<IPage> NewPageAsync(ViewportSize? viewport = null)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl.ToString(),
            ViewportSize = viewport ?? new ViewportSize { Width = 1280, Height = 800 },
            Locale = "en-US",
            TimezoneId = "UTC",
        });
        context.SetDefaultTimeout(Timeout);
        var page = await context.NewPageAsync();
        PageErrors.Watch(page);
        await page.GotoAsync("/");
        return page;
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserGroup : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}
